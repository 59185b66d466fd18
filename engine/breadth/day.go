package breadth

import "time"

// Day is a trading date as days since 1970-01-01 (the civil date, not an
// instant): cheap to compare and to store for thousands of members.
type Day int32

// DayOf returns the civil date of t in t's own location (a daily bar's Time
// is midnight New York of its trading date).
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return civilDay(y, int(m), d)
}

// civilDay is the number of days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (H. Hinnant's days_from_civil).
func civilDay(y, m, d int) Day {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Day(era*146097 + doe - 719468)
}

// Time returns midnight UTC of the date.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats the date as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format("2006-01-02") }
