package breadth

import (
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// Day is a trading date as days since 1970-01-01 (the civil date, not an
// instant): cheap to compare and to store for thousands of members.
type Day int32

// DayOf returns the civil date of t in t's own location (a daily bar's Time
// is midnight New York of its trading date).
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day(calendar.CivilDays(y, m, d))
}

// Time returns midnight UTC of the date.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats the date as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format("2006-01-02") }
