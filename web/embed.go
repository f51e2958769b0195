// Package web holds what browsers get: HTML templates, static files and the
// message catalog every user-facing string goes through.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates static i18n
var files embed.FS

// Templates returns the HTML templates (templates/*.html).
func Templates() fs.FS { return mustSub("templates") }

// Static returns the static files (CSS, JavaScript, icons).
func Static() fs.FS { return mustSub("static") }

// Translations returns the message catalogs (i18n/<lang>.json).
func Translations() fs.FS { return mustSub("i18n") }

func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time; absent means a broken build
	}
	return sub
}
