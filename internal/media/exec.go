package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// stderrTailLen is how much of a tool's standard error is kept to explain a
// failure.
const stderrTailLen = 4096

// tailBuffer keeps the last limit bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// cappedBuffer keeps at most limit bytes and reports when more came.
type cappedBuffer struct {
	limit int64
	buf   bytes.Buffer
	over  bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.limit - int64(c.buf.Len()); int64(len(p)) > room {
		c.buf.Write(p[:max(room, 0)])
		c.over = true
		return len(p), nil
	}
	return c.buf.Write(p)
}

// ToolError is a failed run of an external tool: its exit, and the tail of
// what it wrote on standard error.
type ToolError struct {
	Tool     string
	Err      error
	Stderr   string
	TimedOut bool
}

func (e *ToolError) Error() string {
	msg := e.Tool + ": " + e.Err.Error()
	if e.TimedOut {
		msg = e.Tool + ": time limit reached"
	}
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *ToolError) Unwrap() error { return e.Err }

// LastLine returns the last non-empty line of the tool's standard error,
// shortened, for a reason shown to a person.
func (e *ToolError) LastLine() string {
	lines := strings.Split(e.Stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := cleanToolLine(lines[i]); l != "" {
			if len(l) > 160 {
				l = l[:160] + "…"
			}
			return l
		}
	}
	return ""
}

// runTool runs cmd (made with exec.CommandContext), keeping at most
// stdoutLimit bytes of its standard output (more is an error) and the tail
// of its standard error. When onStdout is set, standard output is streamed
// to it instead. A context that ends kills the tool.
func runTool(ctx context.Context, cmd *exec.Cmd, stdoutLimit int64, onStdout io.Writer) ([]byte, error) {
	stderr := &tailBuffer{limit: stderrTailLen}
	cmd.Stderr = stderr
	out := &cappedBuffer{limit: stdoutLimit}
	if onStdout != nil {
		cmd.Stdout = onStdout
	} else {
		cmd.Stdout = out
	}
	cmd.Stdin = nil
	cmd.WaitDelay = 5 * time.Second
	name := cmd.Args[0]
	err := cmd.Run()
	if err != nil {
		te := &ToolError{Tool: name, Err: err, Stderr: stderr.String()}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			te.TimedOut = true
		}
		var ee *exec.Error
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("media: %s is not installed or cannot run: %w", name, err)
		}
		return nil, te
	}
	if out.over {
		return nil, &ToolError{Tool: name, Err: fmt.Errorf("wrote more than %d bytes", stdoutLimit), Stderr: stderr.String()}
	}
	return out.buf.Bytes(), nil
}

// toolMissing reports whether err says an external tool could not start
// (not installed): an operator's problem, retried, never the entrant's.
func toolMissing(err error) bool {
	var ee *exec.Error
	return errors.As(err, &ee)
}

// cleanToolLine drops what a tool's message says about this machine rather
// than the file: a "[demuxer @ 0x…]" prefix and a leading file path.
func cleanToolLine(l string) string {
	l = strings.TrimSpace(l)
	if strings.HasPrefix(l, "[") {
		if i := strings.Index(l, "] "); i > 0 {
			l = strings.TrimSpace(l[i+2:])
		}
	}
	if strings.HasPrefix(l, "file:") || strings.HasPrefix(l, "/") {
		if i := strings.Index(l, ": "); i > 0 {
			l = strings.TrimSpace(l[i+2:])
		} else {
			l = ""
		}
	}
	return l
}
