// Package essay turns an essay's stored text into HTML that is safe to put
// on a page: Markdown rendered, then sanitised; plain text escaped and cut
// into paragraphs. Nothing an entrant writes can run script, load an image
// or another resource, style the page or leave a referrer behind.
package essay

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// LinkRel is the rel attribute every link of an essay gets: no endorsement
// by the site, no handle on the reader's window, no referrer naming the
// page a judge was on.
const LinkRel = "nofollow noopener noreferrer"

// Renderer renders essays. It holds a Markdown converter and a sanitising
// policy, both built once; it is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewRenderer returns a Renderer. Markdown is CommonMark with tables,
// strikethrough, bare links and typographic punctuation; raw HTML in the
// source is dropped, images become their description, headings move one
// level down (the page's own title is the only h1), and every link gets
// LinkRel.
func NewRenderer() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
			extension.Typographer,
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(readerTransformer{}, 1000))),
		// No html.WithUnsafe: raw HTML blocks and inline tags are omitted,
		// and javascript:, vbscript:, file: and data: links lose their href.
	)
	return &Renderer{md: md, policy: policy()}
}

// policy is bluemonday's user-generated-content policy, tightened: the
// same text structure (paragraphs, headings, emphasis, lists, quotes,
// code, tables, links) but no images or other embedded content, no id,
// class or style attributes, and links only to http, https and mailto
// addresses, each with LinkRel and no target.
func policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
		"em", "strong", "del", "s", "sub", "sup", "ul", "li", "table", "thead", "tbody", "tr")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowElements("ol")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")
	p.AllowElements("th", "td")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(false)
	p.RequireParseableURLs(true)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + LinkRel + `$`)).OnElements("a")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}

// HTML returns the essay's text as sanitised HTML: rendered from Markdown
// when markdown is set, else plain text cut into paragraphs at blank lines,
// with its line breaks kept.
func (r *Renderer) HTML(src string, markdown bool) template.HTML {
	var out []byte
	if markdown {
		var b bytes.Buffer
		if err := r.md.Convert([]byte(src), &b); err != nil {
			// Converting into a buffer cannot fail; should it, the reader
			// still gets the words, escaped.
			out = plain(src)
		} else {
			out = b.Bytes()
		}
	} else {
		out = plain(src)
	}
	// #nosec G203 -- sanitised by the policy just above.
	return template.HTML(r.policy.SanitizeBytes(out))
}

// plain escapes text and cuts it into paragraphs at blank lines; a single
// line break inside a paragraph stays a line break.
func plain(src string) []byte {
	var b bytes.Buffer
	src = strings.ReplaceAll(src, "\r\n", "\n")
	for _, para := range strings.Split(src, "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(html.EscapeString(line))
		}
		b.WriteString("</p>\n")
	}
	return b.Bytes()
}

// readerTransformer adapts the parsed Markdown to the reader page: images
// are replaced by their description (an image address could track judges
// or show who wrote the essay), so are links to anything but an absolute
// http, https or mailto address; headings move one level down, and the
// links left get LinkRel.
type readerTransformer struct{}

func (readerTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var unwrap []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+1, 6)
		case *ast.Link:
			if safeURL(string(n.Destination)) {
				n.SetAttributeString("rel", []byte(LinkRel))
			} else {
				unwrap = append(unwrap, n)
			}
		case *ast.AutoLink:
			u := string(n.URL(source))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
				u = "mailto:" + u
			}
			if safeURL(u) {
				n.SetAttributeString("rel", []byte(LinkRel))
			} else {
				n.AppendChild(n, ast.NewString(n.Label(source)))
				unwrap = append(unwrap, n)
			}
		case *ast.Image:
			unwrap = append(unwrap, n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		parent := n.Parent()
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// safeURL reports whether an essay may link to u: an absolute http or
// https address with a host, or a mailto address.
func safeURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		return p.Host != ""
	case "mailto":
		return p.Opaque != ""
	}
	return false
}
