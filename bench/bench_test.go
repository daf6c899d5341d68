package bench

import (
	"testing"
)

// Benchmark names are Benchmark{Seal,Open,SealOpen}/payload=P/impl=I, so
// that benchstat can put the contenders side by side:
//
//	benchstat -table .name -row /payload -col /impl results.txt
//
// Every benchmark reports cookie-bytes, the length of the cookie value
// (without the name) the contender produces for the payload.

func BenchmarkSeal(b *testing.B) {
	forEach(b, func(b *testing.B, im impl) {
		var value string
		for b.Loop() {
			v, err := im.seal()
			if err != nil {
				b.Fatal(err)
			}
			value = v
		}
		b.ReportMetric(float64(len(value)), "cookie-bytes")
	})
}

func BenchmarkOpen(b *testing.B) {
	forEach(b, func(b *testing.B, im impl) {
		value, err := im.seal()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := im.open(value); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(value)), "cookie-bytes")
	})
}

// BenchmarkSealOpen is one request's work when the session changes: seal
// the data, then open what was sealed.
func BenchmarkSealOpen(b *testing.B) {
	forEach(b, func(b *testing.B, im impl) {
		var value string
		for b.Loop() {
			v, err := im.seal()
			if err != nil {
				b.Fatal(err)
			}
			if err := im.open(v); err != nil {
				b.Fatal(err)
			}
			value = v
		}
		b.ReportMetric(float64(len(value)), "cookie-bytes")
	})
}

func forEach(b *testing.B, f func(*testing.B, impl)) {
	for _, p := range payloads() {
		for _, c := range contenders {
			b.Run("payload="+p.name+"/impl="+c.name, func(b *testing.B) {
				b.ReportAllocs()
				f(b, c.make(b, p))
			})
		}
	}
}
