package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
)

func (h *Handler) startUpload(c *gin.Context) {
	call(h, c, http.StatusCreated, signedIn, func(ctx context.Context, acc app.Access, in app.NewUploadInput) (app.UploadStatus, error) {
		in.EntryID = c.Param("id")
		st, err := h.App.StartUpload(ctx, acc, in)
		if err == nil {
			c.Header("Location", "/api/v1/competitions/"+acc.Competition.Slug+"/uploads/"+st.ID)
		}
		return st, err
	})
}

func (h *Handler) getUpload(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.UploadStatus, error) {
		st, err := h.App.UploadState(ctx, acc, c.Param("upload"))
		if err == nil {
			c.Header("Cache-Control", "no-store")
		}
		return st, err
	})
}

// putPart streams the request body, exactly Content-Length bytes, as one
// part; nothing is buffered beyond a small copy buffer.
func (h *Handler) putPart(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.PartStatus, error) {
		length := c.Request.ContentLength
		body := c.Request.Body
		if length >= 0 {
			// A client sending more than it announced is cut off, not trusted.
			body = http.MaxBytesReader(c.Writer, c.Request.Body, length)
		}
		return h.App.PutPart(ctx, acc, app.PartInput{
			UploadID: c.Param("upload"), Part: c.Param("part"), Length: length, Range: c.GetHeader("Content-Range"), Body: body,
		})
	})
}

func (h *Handler) completeUpload(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		a, err := h.App.CompleteUpload(ctx, acc, c.Param("upload"))
		return assetJSON(a), err
	})
}

func (h *Handler) abortUpload(c *gin.Context) {
	answer(h, c, http.StatusNoContent, func(ctx context.Context, acc app.Access) (none, error) {
		return none{}, h.App.AbortUpload(ctx, acc, c.Param("upload"))
	})
}
