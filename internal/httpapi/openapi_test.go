package httpapi

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// TestOpenAPIDocument checks that the embedded document is valid OpenAPI 3
// and describes exactly the routes Register mounts (the catch-all aside).
func TestOpenAPIDocument(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIDocument())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Errorf("servers = %v, want one: /api/v1", doc.Servers)
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("Register panics while mounting the API routes: %v", p)
			}
		}()
		(&Handler{}).Register(r)
	}()
	registered := map[string]bool{}
	for _, rt := range r.Routes() {
		p, ok := strings.CutPrefix(rt.Path, "/api/v1")
		if !ok || strings.Contains(p, "*") {
			continue
		}
		key := rt.Method + " " + ginToOpenAPI(p)
		registered[key] = true
		item := doc.Paths.Value(ginToOpenAPI(p))
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("route %s %s is not in openapi.yaml", rt.Method, rt.Path)
			continue
		}
		op := item.GetOperation(rt.Method)
		if op.OperationID == "" || op.Summary == "" {
			t.Errorf("%s: needs an operationId and a summary", key)
		}
		if op.Responses.Value("500") == nil {
			t.Errorf("%s: the 500 problem response is not documented", key)
		}
		for code, resp := range op.Responses.Map() {
			if code[0] != '4' && code[0] != '5' {
				continue
			}
			if resp.Value.Content.Get("application/problem+json") == nil {
				t.Errorf("%s %s: error response is not application/problem+json", key, code)
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("openapi.yaml documents %s %s, which Register does not mount", method, path)
			}
		}
	}

	// Fixed shapes reject unknown properties, so drift between the Go JSON
	// tags and the document is caught by response validation.
	for name, s := range doc.Components.Schemas {
		v := s.Value
		if v.Type.Is("object") && v.AdditionalProperties.Has == nil && v.AdditionalProperties.Schema == nil {
			t.Errorf("schema %s: set additionalProperties (false for a fixed shape)", name)
		}
	}
}

var ginParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// ginToOpenAPI turns a Gin path (/competitions/:slug) into an OpenAPI one
// (/competitions/{slug}).
func ginToOpenAPI(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }
