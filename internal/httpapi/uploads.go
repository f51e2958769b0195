package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
)

// registerUploads mounts the resumable upload protocol (docs/UPLOADS.md).
func (h *Handler) registerUploads(g *gin.RouterGroup) {
	g.POST("/competitions/:slug/entries/:id/uploads", h.startUpload)
	g.GET("/competitions/:slug/uploads/:upload", h.getUpload)
	g.PUT("/competitions/:slug/uploads/:upload/parts/:part", h.putPart)
	g.POST("/competitions/:slug/uploads/:upload/complete", h.completeUpload)
	g.DELETE("/competitions/:slug/uploads/:upload", h.abortUpload)
	h.registerEntrants(g)
}

func (h *Handler) startUpload(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.NewUploadInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	in.EntryID = c.Param("id")
	st, err := h.App.StartUpload(c.Request.Context(), acc, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/competitions/"+acc.Competition.Slug+"/uploads/"+st.ID)
	c.JSON(http.StatusCreated, st)
}

func (h *Handler) getUpload(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	st, err := h.App.UploadState(c.Request.Context(), acc, c.Param("upload"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, st)
}

// putPart streams the request body, exactly Content-Length bytes, as one
// part; nothing is buffered beyond a small copy buffer.
func (h *Handler) putPart(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	length := c.Request.ContentLength
	body := c.Request.Body
	if length >= 0 {
		// A client sending more than it announced is cut off, not trusted.
		body = http.MaxBytesReader(c.Writer, c.Request.Body, length)
	}
	p, err := h.App.PutPart(c.Request.Context(), acc, app.PartInput{
		UploadID: c.Param("upload"), Part: c.Param("part"), Length: length, Range: c.GetHeader("Content-Range"), Body: body,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) completeUpload(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	a, err := h.App.CompleteUpload(c.Request.Context(), acc, c.Param("upload"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": a.ID, "state": a.State, "content_type": a.ContentType, "size": a.Size, "file_name": a.FileName})
}

func (h *Handler) abortUpload(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	if err := h.App.AbortUpload(c.Request.Context(), acc, c.Param("upload")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
