package essay

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowedAttrs is every element the reader may show and the attributes it
// may carry (the policy in render.go, written again from its doc comment
// so that a wrong policy fails here).
var allowedAttrs = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"blockquote": nil, "pre": nil, "code": nil, "em": nil, "strong": nil, "del": nil, "s": nil,
	"sub": nil, "sup": nil, "ul": nil, "li": nil, "ol": {"start"}, "table": nil, "thead": nil,
	"tbody": nil, "tr": nil, "th": {"align"}, "td": {"align"}, "a": {"href", "rel", "title"},
}

// FuzzHTML: whatever an entrant writes, as Markdown or plain text, the
// rendered essay holds only text-structure elements, no attribute that
// runs, loads or restyles anything, and links only to http, https and
// mailto addresses with rel="nofollow noopener noreferrer".
func FuzzHTML(f *testing.F) {
	for _, s := range []string{
		"# Title\n\nSome *text* and [a link](https://example.org).",
		"<script>alert(1)</script>",
		"[x](javascript:alert(1))",
		"![tracker](https://evil.example/p.gif)",
		"<img src=x onerror=alert(1)>",
		"<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
		"[x](JaVaScRiPt&#58;alert(1))",
		"<div style=\"position:fixed\">x</div>",
		"> quote\n\n- a\n- b\n\n```\n<script>\n```",
		"| a | b |\n|:-|-:|\n| 1 | 2 |",
		"3. three\n4. four",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, src string, markdown bool) {
		out := string(r.HTML(src, markdown))
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			attrs, ok := allowedAttrs[tok.Data]
			if !ok {
				t.Fatalf("%q (markdown=%v) gave a <%s> element: %q", src, markdown, tok.Data, out)
			}
			rel := false
			for _, a := range tok.Attr {
				if !slices.Contains(attrs, a.Key) {
					t.Fatalf("%q (markdown=%v) gave <%s %s=%q>: %q", src, markdown, tok.Data, a.Key, a.Val, out)
				}
				switch a.Key {
				case "href":
					u, err := url.Parse(a.Val)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
						t.Fatalf("%q (markdown=%v) gave a link to %q: %q", src, markdown, a.Val, out)
					}
				case "rel":
					rel = a.Val == LinkRel
				}
			}
			if tok.Data == "a" && !rel {
				t.Fatalf("%q (markdown=%v) gave a link without rel=%q: %q", src, markdown, LinkRel, out)
			}
		}
	})
}
