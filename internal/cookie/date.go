package cookie

import "time"

// AppendDate appends t as an IMF-fixdate (RFC 9110 §5.6.7), in UTC: what
// t.UTC().AppendFormat(b, TimeFormat) appends, without parsing the layout
// on every line. Years outside 0..9999 take AppendFormat's path.
func AppendDate(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	hour, min, sec := t.Clock()
	const days = "SunMonTueWedThuFriSat"
	const months = "JanFebMarAprMayJunJulAugSepOctNovDec"
	wd, mo := int(t.Weekday())*3, (int(month)-1)*3
	b = append(b, days[wd:wd+3]...)
	b = append(b, ',', ' ')
	b = append2(b, day)
	b = append(b, ' ')
	b = append(b, months[mo:mo+3]...)
	b = append(b, ' ')
	b = append2(append2(b, year/100), year%100)
	b = append(b, ' ')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, min)
	b = append(b, ':')
	b = append2(b, sec)
	return append(b, " GMT"...)
}

// append2 appends n, 0..99, in two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
