package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Catalog maps message keys to text per language. English is complete and
// is the fallback for any key another language lacks.
type Catalog struct {
	messages map[string]map[string]string // lang → key → text
	matcher  language.Matcher
	langs    []string
}

// LoadCatalog reads every i18n/<lang>.json from fsys.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{messages: map[string]map[string]string{}}
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("list catalogs: %w", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read catalog %s: %w", n, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("parse catalog %s: %w", n, err)
		}
		c.messages[strings.TrimSuffix(n, ".json")] = m
	}
	if _, ok := c.messages["en"]; !ok {
		return nil, fmt.Errorf("catalog: en.json is missing")
	}
	c.langs = make([]string, 0, len(c.messages))
	for l := range c.messages {
		if l != "en" {
			c.langs = append(c.langs, l)
		}
	}
	sort.Strings(c.langs)
	c.langs = append([]string{"en"}, c.langs...)
	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = language.Make(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Languages lists the available languages, English first.
func (c *Catalog) Languages() []string { return c.langs }

// Match picks the best available language for a user's explicit choice
// (may be empty) and an Accept-Language header.
func (c *Catalog) Match(choice, acceptLanguage string) string {
	if _, ok := c.messages[choice]; ok {
		return choice
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, _ := c.matcher.Match(tags...)
	return c.langs[i]
}

// Has reports whether key exists in the English catalog.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages["en"][key]
	return ok
}

// T returns the text of key in lang, formatted with args (fmt verbs). An
// unknown key returns the key itself so a missing message is visible, never
// blank.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.messages[lang][key]
	if !ok {
		msg, ok = c.messages["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Dir returns the text direction of a language: "rtl" or "ltr".
func (c *Catalog) Dir(lang string) string {
	switch lang {
	case "ar", "he", "fa", "ur":
		return "rtl"
	}
	return "ltr"
}
