package flash

import (
	"slices"
	"strings"
	"testing"
)

// TestSet: messages are taken by category, in the order added; a copy of a
// Set shares no array the other writes, so adding to one leaves the other
// as it was; Equal compares categories in order.
func TestSet(t *testing.T) {
	var f Set
	if !f.Empty() {
		t.Fatal("zero Set not empty")
	}
	f.Add("", "d1")
	f.Add("error", "e1")
	f.Add("info", "i1")
	f.Add("error", "e2")
	held := f
	f.Add("error", "e3")
	f.Add("", "d2")
	if got := held.Take("error"); !slices.Equal(got, []string{"e1", "e2"}) {
		t.Fatalf("the copy's error messages: %q", got)
	}
	if got := held.Take(""); !slices.Equal(got, []string{"d1"}) {
		t.Fatalf("the copy's default messages: %q", got)
	}
	var g Set
	g.Add("info", "i1")
	if !held.Equal(&g) || held.Empty() {
		t.Fatalf("after taking: %+v", held)
	}
	if held.Take("info") == nil || held.Take("info") != nil || !held.Empty() || held.Cats != nil {
		t.Fatalf("taking the last category: %+v", held)
	}
	var a, b Set
	a.Add("x", "1")
	a.Add("y", "1")
	b.Add("y", "1")
	b.Add("x", "1")
	if a.Equal(&b) {
		t.Fatal("categories in another order compare equal")
	}
}

// TestValidCategory: at most MaxCategoryBytes of valid UTF-8.
func TestValidCategory(t *testing.T) {
	for cat, want := range map[string]bool{
		"error":                                   true,
		strings.Repeat("x", MaxCategoryBytes):     true,
		strings.Repeat("x", MaxCategoryBytes+1):   false,
		"bad\xff":                                 false,
		strings.Repeat("é", MaxCategoryBytes/2):   true,
		strings.Repeat("é", MaxCategoryBytes/2+1): false,
	} {
		if ValidCategory(cat) != want {
			t.Errorf("ValidCategory(%.20q) = %v", cat, !want)
		}
	}
}
