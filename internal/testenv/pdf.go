package testenv

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
)

// PageColour is the colour that fills the middle of page page (from 1) of
// a MuralPDF (red, green, blue, yellow, in turn), so a test can tell the
// pages apart and check their order.
func PageColour(page int) color.RGBA {
	switch (page - 1) % 4 {
	case 0:
		return color.RGBA{R: 204, G: 26, B: 26, A: 255}
	case 1:
		return color.RGBA{R: 26, G: 153, B: 51, A: 255}
	case 2:
		return color.RGBA{R: 38, G: 77, B: 204, A: 255}
	}
	return color.RGBA{R: 230, G: 204, B: 26, A: 255}
}

// MuralPDF builds a PDF of pages US-letter pages, each filled in its
// middle (from 20 % to 80 % of its width and height) with PageColour and
// showing "Page N". Its document information and XMP name an author
// ("Secret Author"), a title ("Secret Title"), a creator and a producer,
// which no judge may ever see.
func MuralPDF(pages int) []byte {
	var objs []string
	// 1 catalog, 2 pages, 3 font, 4 info, 5 XMP, then per page its page
	// object and its content.
	kids := make([]string, pages)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Secret Author</rdf:li></rdf:Seq></dc:creator></rdf:Description>` +
		`</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Author (Secret Author) /Title (Secret Title) /Creator (Secret Creator App) /Producer (Secret Producer 9.1) /CreationDate (D:20170506123456+01'00') >>",
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp)+1, xmp),
	)
	for i := range pages {
		c := PageColour(i + 1)
		content := fmt.Sprintf("%.3f %.3f %.3f rg 122 158 368 476 re f\n0 0 0 rg BT /F1 28 Tf 250 60 Td (Page %d) Tj ET\n",
			float64(c.R)/255, float64(c.G)/255, float64(c.B)/255, i+1)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 7+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
		)
	}
	return PDF(objs, 4)
}

// PDF writes objs as a PDF file: object i+1 is objs[i], object 1 is the
// catalog, and object info is the document information dictionary. The
// cross-reference table is exact, so every PDF reader opens it.
func PDF(objs []string, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, info, xref)
	return b.Bytes()
}
