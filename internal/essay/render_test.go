package essay_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/tessera/tessera/internal/essay"
)

// TestHTML renders what entrants write and checks what a judge's browser
// would get: the essay's structure kept, anything that could run, load,
// track or restyle removed.
func TestHTML(t *testing.T) {
	r := essay.NewRenderer()
	for _, tt := range []struct {
		name     string
		src      string
		markdown bool
		want     []string // substrings of the HTML
		lacks    []string // never in the HTML (case-insensitive)
	}{
		{
			name:     "structure kept",
			src:      "# The loom\n\nIt *hums* at **dusk**.\n\n## Threads\n\n- warp\n- weft\n\n1. spin\n2. dye\n\n> Every weft is a day remembered.\n\n`shuttle`\n\n---\n",
			markdown: true,
			want: []string{"<h2>The loom</h2>", "<em>hums</em>", "<strong>dusk</strong>", "<h3>Threads</h3>", "<ul>", "<li>warp</li>",
				"<ol>", "<li>spin</li>", "<blockquote>", "Every weft is a day remembered.", "<code>shuttle</code>", "<hr>"},
			lacks: []string{"<h1"},
		},
		{
			name:     "deep headings stay headings",
			src:      "###### Six\n",
			markdown: true,
			want:     []string{"<h6>Six</h6>"},
		},
		{
			name:     "tables and strikethrough",
			src:      "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~old~~\n",
			markdown: true,
			want:     []string{"<table>", `<th align="left">a</th>`, `<td align="right">2</td>`, "<del>old</del>"},
			lacks:    []string{"style="},
		},
		{
			name:     "script tag",
			src:      "Before\n\n<script>alert('x')</script>\n\nAfter <script>alert(1)</script> inline\n",
			markdown: true,
			// The block goes whole; between inline tags, what is left is
			// words on the page.
			want:  []string{"<p>Before</p>", "After alert(1) inline"},
			lacks: []string{"<script", "alert('x')"},
		},
		{
			name:     "raw HTML blocks",
			src:      "<div style=\"position:fixed\" onclick=\"steal()\">\nboxed\n</div>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n<style>body{display:none}</style>\n\nText <span style=\"color:red\">red</span>.\n",
			markdown: true,
			want:     []string{"Text", "red"},
			lacks:    []string{"<div", "<iframe", "<style", "style=", "onclick", "evil.example", "display:none", "<span"},
		},
		{
			name:     "onerror attribute",
			src:      "<img src=x onerror=\"alert(1)\">\n\nword <b onmouseover=\"alert(2)\">bold</b>\n",
			markdown: true,
			want:     []string{"word", "bold"},
			lacks:    []string{"onerror", "onmouseover", "alert", "<img"},
		},
		{
			name:     "javascript links",
			src:      "[click](javascript:alert(1)) [again](JaVaScRiPt:alert(2)) [vb](vbscript:msgbox(1)) <javascript:alert(3)>\n",
			markdown: true,
			want:     []string{"<p>click again vb javascript:alert(3)</p>"},
			lacks:    []string{"href=", "<a"},
		},
		{
			name:     "data URLs",
			src:      "[page](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [png](data:image/png;base64,iVBORw0KGgo=)\n\n![pixel](data:image/png;base64,iVBORw0KGgo=)\n",
			markdown: true,
			want:     []string{"<p>page png</p>", "<p>pixel</p>"},
			lacks:    []string{"data:", "href=", "<img", "<a"},
		},
		{
			name:     "images become their description",
			src:      "See ![my grandmother's loom](http://tracker.example/pixel.gif?judge=1) here.\n\n<img src=\"http://tracker.example/a.png\">\n",
			markdown: true,
			want:     []string{"See my grandmother’s loom here."},
			lacks:    []string{"<img", "tracker.example", "src="},
		},
		{
			name:     "links are rel-guarded, no target",
			src:      "[site](https://example.org/a?b=1 \"The site\") and www.example.com and <mailto:me@example.org>\n",
			markdown: true,
			want: []string{`<a href="https://example.org/a?b=1" title="The site" rel="nofollow noopener noreferrer">site</a>`,
				`<a href="http://www.example.com" rel="nofollow noopener noreferrer">www.example.com</a>`,
				`href="mailto:me@example.org" rel="nofollow noopener noreferrer"`},
			lacks: []string{"target="},
		},
		{
			name:     "relative and protocol-relative links dropped",
			src:      "[out](/signout) [up](../admin) [other](//evil.example/x)\n",
			markdown: true,
			want:     []string{"<p>out up other</p>"},
			lacks:    []string{"href=", "<a"},
		},
		{
			name:     "typographic punctuation",
			src:      "\"Quoted\" -- and... done\n",
			markdown: true,
			want:     []string{"“Quoted” – and… done"},
		},
		{
			name: "plain text paragraphs",
			src:  "Threads of light\n\nThe loom hums at dusk.\nEvery weft is a day remembered.\n\n\nLast line\n",
			want: []string{"<p>Threads of light</p>", "<p>The loom hums at dusk.<br>\nEvery weft is a day remembered.</p>", "<p>Last line</p>"},
		},
		{
			name:  "plain text is escaped, never markup",
			src:   "<script>alert(1)</script>\n\n<img src=http://tracker.example/x onerror=alert(2)>\n\n# not a heading & *not* emphasis\n",
			want:  []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=http://tracker.example/x onerror=alert(2)&gt;", "# not a heading &amp; *not* emphasis"},
			lacks: []string{"<script", "<img", "<h", "<em>"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.HTML(tt.src, tt.markdown))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML lacks %q:\n%s", w, got)
				}
			}
			for _, l := range tt.lacks {
				if strings.Contains(strings.ToLower(got), strings.ToLower(l)) {
					t.Errorf("HTML has %q:\n%s", l, got)
				}
			}
		})
	}
}

// TestHTMLEmpty: no text, no markup.
func TestHTMLEmpty(t *testing.T) {
	r := essay.NewRenderer()
	for _, md := range []bool{false, true} {
		if got := r.HTML("\n\n  \n", md); strings.TrimSpace(string(got)) != "" {
			t.Errorf("markdown=%v: %q", md, got)
		}
	}
}

// TestRendererConcurrent: one Renderer serves every request at once.
func TestRendererConcurrent(t *testing.T) {
	r := essay.NewRenderer()
	want := string(r.HTML("# Title\n\n[a](https://example.org) ![x](http://t.example/p.gif)\n", true))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := string(r.HTML("# Title\n\n[a](https://example.org) ![x](http://t.example/p.gif)\n", true)); got != want {
					t.Errorf("concurrent render differs:\n%s\n%s", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
