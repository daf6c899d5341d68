// Package flash holds a session's flash messages and their envelope, the
// plaintext that seals them with the data (docs/FORMAT.md, "Plaintext").
package flash

import (
	"slices"
	"unicode/utf8"
)

// MaxCategoryBytes is the longest category Session.AddFlashTo takes,
// 255, as Session.SetSubject's limit for a subject: a category is a label in
// code ("error", "info"), and a longer one is most likely a message passed
// as the category.
const MaxCategoryBytes = 255

// Set is a session's flash messages: the default category's, and
// those of other categories in the order of their first message. Its
// slices may be shared with another Set (held and wanted): add and
// take never write to them, they replace them.
type Set struct {
	Default []string
	Cats    []Category // none with an empty name or no messages
}

// Category is one category's messages, in the order they were added.
type Category struct {
	Name string
	Msgs []string
}

// Empty reports whether f holds no message.
func (f *Set) Empty() bool { return len(f.Default) == 0 && len(f.Cats) == 0 }

// Equal reports whether f and o hold the same messages in the same order.
func (f *Set) Equal(o *Set) bool {
	return slices.Equal(f.Default, o.Default) && slices.EqualFunc(f.Cats, o.Cats, func(a, b Category) bool {
		return a.Name == b.Name && slices.Equal(a.Msgs, b.Msgs)
	})
}

// Add queues msg in category cat ("" is the default category).
func (f *Set) Add(cat, msg string) {
	if cat == "" {
		f.Default = append(slices.Clip(f.Default), msg)
		return
	}
	cats := slices.Clone(f.Cats)
	if i := f.index(cat); i >= 0 {
		cats[i].Msgs = append(slices.Clip(cats[i].Msgs), msg)
	} else {
		cats = append(cats, Category{Name: cat, Msgs: []string{msg}})
	}
	f.Cats = cats
}

// Take returns category cat's messages and removes them from f.
func (f *Set) Take(cat string) []string {
	if cat == "" {
		msgs := f.Default
		f.Default = nil
		return msgs
	}
	i := f.index(cat)
	if i < 0 {
		return nil
	}
	msgs := f.Cats[i].Msgs
	f.Cats = append(slices.Clip(f.Cats[:i]), f.Cats[i+1:]...)
	if len(f.Cats) == 0 {
		f.Cats = nil
	}
	return msgs
}

// index is the position of category cat in f.Cats, or -1.
func (f *Set) index(cat string) int {
	return slices.IndexFunc(f.Cats, func(c Category) bool { return c.Name == cat })
}

// ValidCategory reports whether cat can be sealed as a category: valid
// UTF-8 (JSON would replace invalid bytes, and FlashesOf would then never
// find it) of at most MaxCategoryBytes bytes.
func ValidCategory(cat string) bool {
	return len(cat) <= MaxCategoryBytes && utf8.ValidString(cat)
}
