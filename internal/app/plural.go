package app

import "strconv"

// Count says n of a thing in words, the noun agreeing with n: "1 row",
// "2 rows", "0 rows" (QA-3 F9d: doctor said "2 rows skipped in 1 files").
// word is the singular; the plural adds an s (every noun counted here
// does).
func Count(n int, word string) string {
	return strconv.Itoa(n) + " " + Noun(n, word)
}

// Noun is word in the number n asks for: "member" for 1, "members" else
// ("3 of 1 member" never happens; "0 of 1 member failed" reads right).
func Noun(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
