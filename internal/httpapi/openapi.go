package httpapi

import _ "embed"

//go:embed openapi.yaml
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3 description of this API.
func OpenAPIDocument() []byte { return openAPIDocument }
