package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	// Endpoint is host[:port], such as "s3.amazonaws.com" or
	// "127.0.0.1:9000". An "http://" or "https://" prefix is accepted too and
	// then decides UseSSL.
	Endpoint  string
	AccessKey string
	SecretKey string
	// Bucket is created by NewS3 when it does not exist.
	Bucket string
	// Region may be empty for MinIO and most other servers.
	Region string
	// UseSSL selects HTTPS.
	UseSSL bool
}

// S3 is a Store on an S3-compatible bucket (AWS S3, MinIO, others), through
// minio-go. Objects are stored under their keys as they are.
type S3 struct {
	client *minio.Client
	core   minio.Core
	bucket string
}

// NewS3 connects to the bucket described by cfg, creating the bucket if it
// does not exist.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	endpoint, secure := cfg.Endpoint, cfg.UseSSL
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, fmt.Errorf("blob: s3 endpoint %q: %w", cfg.Endpoint, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("blob: s3 endpoint %q: want host[:port] or http(s)://host[:port]", cfg.Endpoint)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	if endpoint == "" {
		return nil, errors.New("blob: s3: no endpoint given")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("blob: s3: no bucket given")
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 %s: %w", endpoint, err)
	}
	s := &S3{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %q at %s: %w", cfg.Bucket, endpoint, err)
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if code := s3Code(err); err != nil && code != minio.BucketAlreadyOwnedByYou && code != minio.BucketAlreadyExists {
			return nil, fmt.Errorf("blob: s3 create bucket %q at %s: %w", cfg.Bucket, endpoint, err)
		}
	}
	return s, nil
}

// s3Code returns the S3 error code of err, or "".
func s3Code(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}

// s3Error describes a failed operation on key, wrapping the sentinel error
// that matches the S3 error code, if any, as well as err.
func s3Error(op, key string, err error) error {
	switch s3Code(err) {
	case minio.NoSuchKey, minio.NoSuchUpload:
		return fmt.Errorf("blob: s3 %s %q: %w: %w", op, key, ErrNotFound, err)
	case minio.InvalidPart, minio.InvalidPartOrder, minio.EntityTooSmall:
		return fmt.Errorf("blob: s3 %s %q: %w: %w", op, key, ErrInvalidPart, err)
	case minio.InvalidRange:
		return fmt.Errorf("blob: s3 %s %q: %w: %w", op, key, ErrInvalidRange, err)
	}
	return fmt.Errorf("blob: s3 %s %q: %w", op, key, err)
}

// Put implements Store. The size is always given to the server; a reader
// holding fewer or more bytes fails the request before it completes.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob: s3 put %q: %w: negative size %d", key, ErrSizeMismatch, size)
	}
	if contentType == "" {
		contentType = DefaultContentType
	}
	src := newExactReader(ctx, r, size)
	body := io.Reader(src)
	if size == 0 {
		// An empty body may never be read: check the reader is empty first.
		if _, err := src.Read(make([]byte, 1)); err != io.EOF {
			return fmt.Errorf("blob: s3 put %q: %w", key, err)
		}
		body = bytes.NewReader(nil)
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{ContentType: contentType})
	if mismatch := src.mismatch(); mismatch != nil {
		return fmt.Errorf("blob: s3 put %q: %w", key, mismatch)
	}
	if err != nil {
		return s3Error("put", key, err)
	}
	return nil
}

// Open implements Store.
func (s *S3) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fmt.Errorf("blob: s3 open %q: %w: offset %d", key, ErrInvalidRange, offset)
	}
	if length == 0 {
		// No Range header can ask for nothing: check the object and offset.
		info, err := s.Stat(ctx, key)
		if err != nil {
			return nil, err
		}
		if offset > info.Size {
			return nil, fmt.Errorf("blob: s3 open %q: %w: offset %d past size %d", key, ErrInvalidRange, offset, info.Size)
		}
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	var opts minio.GetObjectOptions
	var err error
	switch {
	case length > 0:
		err = opts.SetRange(offset, offset+length-1)
	case offset > 0:
		err = opts.SetRange(offset, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: s3 open %q: %w", key, err)
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		if s3Code(err) == minio.InvalidRange {
			// The offset is at or past the end; at the end it reads nothing.
			info, serr := s.Stat(ctx, key)
			if serr != nil {
				return nil, serr
			}
			if offset == info.Size {
				return io.NopCloser(bytes.NewReader(nil)), nil
			}
			return nil, fmt.Errorf("blob: s3 open %q: %w: offset %d past size %d", key, ErrInvalidRange, offset, info.Size)
		}
		return nil, s3Error("open", key, err)
	}
	return body, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s3Error("stat", key, err)
	}
	ct := oi.ContentType
	if ct == "" {
		ct = DefaultContentType
	}
	return Info{Key: key, Size: oi.Size, ContentType: ct, ModTime: oi.LastModified.UTC(), ETag: oi.ETag}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && s3Code(err) != minio.NoSuchKey {
		return s3Error("delete", key, err)
	}
	return nil
}

// CreateMultipart implements Store.
func (s *S3) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = DefaultContentType
	}
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", s3Error("create multipart", key, err)
	}
	return id, nil
}

// PutPart implements Store.
func (s *S3) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error) {
	if err := ValidateKey(key); err != nil {
		return Part{}, err
	}
	if err := checkPart(n, size); err != nil {
		return Part{}, fmt.Errorf("blob: s3 put part of %q: %w", key, err)
	}
	if uploadID == "" {
		return Part{}, fmt.Errorf("blob: s3 put part of %q: empty upload id: %w", key, ErrNotFound)
	}
	src := newExactReader(ctx, r, size)
	body := io.Reader(src)
	if size == 0 {
		if _, err := src.Read(make([]byte, 1)); err != io.EOF {
			return Part{}, fmt.Errorf("blob: s3 put part %d of %q: %w", n, key, err)
		}
		body = bytes.NewReader(nil)
	}
	op, err := s.core.PutObjectPart(ctx, s.bucket, key, uploadID, n, body, size, minio.PutObjectPartOptions{})
	if mismatch := src.mismatch(); mismatch != nil {
		return Part{}, fmt.Errorf("blob: s3 put part %d of %q: %w", n, key, mismatch)
	}
	if err != nil {
		return Part{}, s3Error(fmt.Sprintf("put part %d of", n), key, err)
	}
	return Part{Number: n, Size: size, ETag: strings.Trim(op.ETag, `"`)}, nil
}

// ListParts implements Store.
func (s *S3) ListParts(ctx context.Context, key, uploadID string) ([]Part, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if uploadID == "" {
		return nil, fmt.Errorf("blob: s3 list parts of %q: empty upload id: %w", key, ErrNotFound)
	}
	parts := []Part{}
	marker := 0
	for {
		res, err := s.core.ListObjectParts(ctx, s.bucket, key, uploadID, marker, 1000)
		if err != nil {
			return nil, s3Error("list parts of", key, err)
		}
		for _, p := range res.ObjectParts {
			parts = append(parts, Part{Number: p.PartNumber, Size: p.Size, ETag: strings.Trim(p.ETag, `"`)})
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return parts, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// CompleteMultipart implements Store. Parts named without an ETag take the
// one the server reports for them.
func (s *S3) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if uploadID == "" {
		return fmt.Errorf("blob: s3 complete %q: empty upload id: %w", key, ErrNotFound)
	}
	sorted, err := sortedParts(parts)
	if err != nil {
		return fmt.Errorf("blob: s3 complete %q: %w", key, err)
	}
	var received map[int]Part
	complete := make([]minio.CompletePart, len(sorted))
	for i, p := range sorted {
		etag := strings.Trim(p.ETag, `"`)
		if etag == "" {
			if received == nil {
				listed, err := s.ListParts(ctx, key, uploadID)
				if err != nil {
					return err
				}
				received = make(map[int]Part, len(listed))
				for _, lp := range listed {
					received[lp.Number] = lp
				}
			}
			rp, ok := received[p.Number]
			if !ok {
				return fmt.Errorf("blob: s3 complete %q: %w: part %d was not received", key, ErrInvalidPart, p.Number)
			}
			etag = rp.ETag
		}
		complete[i] = minio.CompletePart{PartNumber: p.Number, ETag: etag}
	}
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, complete, minio.PutObjectOptions{}); err != nil {
		return s3Error("complete", key, err)
	}
	return nil
}

// AbortMultipart implements Store. Some servers (MinIO) report success for
// an upload that does not exist, so the upload is looked up first to return
// ErrNotFound as AWS S3 and the local store do.
func (s *S3) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if uploadID == "" {
		return fmt.Errorf("blob: s3 abort upload to %q: empty upload id: %w", key, ErrNotFound)
	}
	if _, err := s.core.ListObjectParts(ctx, s.bucket, key, uploadID, 0, 1); err != nil {
		return s3Error("abort upload to", key, err)
	}
	if err := s.core.AbortMultipartUpload(ctx, s.bucket, key, uploadID); err != nil {
		return s3Error("abort upload to", key, err)
	}
	return nil
}

// Ping implements Store by checking that the bucket exists.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: s3 ping bucket %q: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("blob: s3 ping: bucket %q does not exist", s.bucket)
	}
	return nil
}
