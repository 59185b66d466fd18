package rotation

import (
	"fmt"
	"time"
)

// Day is a civil (calendar) date counted in days since 1970-01-01 in the
// proleptic Gregorian calendar. Daily bars are keyed by their New York
// trading date; Day carries that date without a time zone, so comparing
// and grouping dates is integer arithmetic. It marshals as "YYYY-MM-DD".
type Day int32

// DayOf returns the civil date of t in t's own location (a daily bar's time
// is New York midnight of its trading date, so this is the trading date).
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return civilDay(y, int(m), d)
}

// civilDay is Howard Hinnant's days_from_civil.
func civilDay(y, m, d int) Day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Day(era*146097 + doe - 719468)
}

// Date returns the year, month and day of d (Hinnant's civil_from_days).
func (d Day) Date() (year int, month time.Month, day int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), dd
}

// In returns midnight of d in loc.
func (d Day) In(loc *time.Location) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// Weekday returns the day of the week of d (1970-01-01 was a Thursday).
func (d Day) Weekday() time.Weekday {
	w := (int(d) + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// Week returns the index of d's Monday–Sunday week: days in the same week
// share it and later weeks have larger indexes.
func (d Day) Week() int32 {
	// 1970-01-05 (day 4) is a Monday: weeks start at days ≡ 4 (mod 7).
	x := int32(d) + 3
	if x < 0 {
		return (x - 6) / 7
	}
	return x / 7
}

// String renders d as YYYY-MM-DD.
func (d Day) String() string {
	y, m, dd := d.Date()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// MarshalText renders d as YYYY-MM-DD (so a Day is a JSON string).
func (d Day) MarshalText() ([]byte, error) {
	y, m, dd := d.Date()
	if y < 0 || y > 9999 {
		return nil, fmt.Errorf("rotation: day %d: year %d out of range", int(d), y)
	}
	b := make([]byte, 0, 10)
	b = append4(b, y)
	b = append(b, '-', byte('0'+int(m)/10), byte('0'+int(m)%10), '-', byte('0'+dd/10), byte('0'+dd%10))
	return b, nil
}

func append4(b []byte, y int) []byte {
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// UnmarshalText parses YYYY-MM-DD.
func (d *Day) UnmarshalText(b []byte) error {
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return fmt.Errorf("rotation: day %q: %w", b, err)
	}
	*d = DayOf(t)
	return nil
}
