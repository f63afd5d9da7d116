package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-logr/logr"
)

// errTruncated is the reason for a last line without its newline: a write cut short.
var errTruncated = errors.New("truncated last line (missing newline)")

// sink is where the chain is written. After NewLog only the writer goroutine uses it.
type sink struct {
	path       string // "" for standard output
	maxSize    int64
	maxBackups int
	out        io.Writer // file or standard output; nil while no file is open
	file       *os.File
	size       int64  // bytes in file
	seq        uint64 // seq of the last line written
	prev       string // hash of the last line written, or the genesis
}

// openSink opens the log file and continues the chain found in it.
func openSink(o Options, log logr.Logger) (*sink, error) {
	s := &sink{path: o.Path, maxSize: o.MaxSize, maxBackups: o.MaxBackups}
	if o.Path == PathStdout {
		s.path, s.out = "", os.Stdout
		var err error
		s.prev, err = newGenesis()
		return s, err
	}
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return nil, fmt.Errorf("create audit log directory: %w", err)
	}
	seq, prev, err := resume(o.Path, log)
	if err != nil {
		return nil, err
	}
	s.seq, s.prev = seq, prev
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

// resume returns the seq and hash of the last line of the chain at path: the last
// line of path, or of path.1 when path is missing or empty (a crash right after a
// rotation), or a new genesis when neither has a line. A broken last line never
// stops gitgate from starting (that would fail every governed write closed): a
// write cut short is removed, an edited line is continued from the hash it claims,
// an unreadable one starts a new chain; each is logged, and verify reports it.
func resume(path string, log logr.Logger) (seq uint64, prev string, err error) {
	for _, p := range []string{path, backupName(path, 1)} {
		line, err := lastLine(p)
		if errors.Is(err, errTruncated) {
			log.Error(err, "removing the partial last line of the audit log (a write cut short)", "file", p)
			if err = dropPartialLine(p); err == nil {
				line, err = lastLine(p)
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, "", fmt.Errorf("resume audit chain from %s: %w", p, err)
		}
		if line == nil {
			continue
		}
		l, err := parseLine(line)
		switch {
		case err == nil:
			return l.Seq, l.Hash, nil
		case errors.Is(err, errHashMismatch):
			log.Error(err, "last audit line was edited; continuing the chain from the hash it claims", "file", p, "seq", l.Seq)
			return l.Seq, l.Hash, nil
		}
		log.Error(err, "last audit line is unreadable; starting a new chain", "file", p)
		break
	}
	g, err := newGenesis()
	return 0, g, err
}

// dropPartialLine truncates path after its last newline.
func dropPartialLine(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.Truncate(path, int64(bytes.LastIndexByte(b, '\n')+1))
}

// lastLine returns the last line of the file without its newline, or nil for an
// empty file. A file not ending in a newline is errTruncated.
func lastLine(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	const chunk = 64 << 10
	var tail []byte
	for off := st.Size(); ; {
		if len(tail) > 0 {
			if tail[len(tail)-1] != '\n' {
				return nil, errTruncated
			}
			if i := bytes.LastIndexByte(tail[:len(tail)-1], '\n'); i >= 0 {
				return tail[i+1 : len(tail)-1], nil
			}
		}
		if off == 0 {
			if len(tail) == 0 {
				return nil, nil
			}
			return tail[:len(tail)-1], nil
		}
		n := min(off, chunk)
		off -= n
		buf := make([]byte, n, n+int64(len(tail)))
		if _, err := f.ReadAt(buf, off); err != nil {
			return nil, err
		}
		tail = append(buf, tail...)
	}
}

func backupName(path string, i int) string {
	if i == 0 {
		return path
	}
	return path + "." + strconv.Itoa(i)
}

func (s *sink) open() error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open audit log: %w", err)
	}
	s.file, s.out, s.size = f, f, st.Size()
	return nil
}

// write appends r to the chain and returns the line. written reports whether it
// was; err may be set either way (a failed rotation still writes, into the current
// file). When nothing was written the chain is unchanged.
func (s *sink) write(r Record) (line []byte, written bool, err error) {
	r.Seq, r.Prev = s.seq+1, s.prev
	line, err = encodeLine(&r)
	if err != nil {
		return nil, false, err
	}
	rotErr := s.ready(int64(len(line)))
	if s.out == nil {
		return nil, false, rotErr
	}
	n, err := s.out.Write(line)
	if err != nil {
		return nil, false, errors.Join(rotErr, s.undo(n, err))
	}
	s.size += int64(n)
	s.seq, s.prev = r.Seq, r.Hash
	return line, true, rotErr
}

// undo removes the n bytes of a failed write so the file still ends on a whole line.
func (s *sink) undo(n int, err error) error {
	err = fmt.Errorf("write audit log %s: %w", s.path, err)
	if s.file == nil || n == 0 {
		return err
	}
	if terr := s.file.Truncate(s.size); terr != nil {
		return errors.Join(err, fmt.Errorf("remove partial audit line: %w", terr))
	}
	return err
}

// ready makes sure a file is open with room for n more bytes, rotating if not. If
// rotating fails the current file is reopened, so the line is not lost.
func (s *sink) ready(n int64) error {
	if s.path == "" {
		return nil
	}
	var rotErr error
	if s.file != nil && s.size > 0 && s.size+n > s.maxSize {
		rotErr = s.rotate()
	}
	if s.file == nil {
		return errors.Join(rotErr, s.open())
	}
	return rotErr
}

// rotate closes the file and shifts FILE → FILE.1 → ... → FILE.maxBackups, replacing
// the oldest. The next write opens a new FILE.
func (s *sink) rotate() error {
	err := s.file.Close()
	s.file, s.out = nil, nil
	if err != nil {
		return fmt.Errorf("rotate audit log: %w", err)
	}
	for i := s.maxBackups; i >= 1; i-- {
		err := os.Rename(backupName(s.path, i-1), backupName(s.path, i))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("rotate audit log: %w", err)
		}
	}
	return nil
}

func (s *sink) sync() error {
	if s.file == nil {
		return nil
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("sync audit log: %w", err)
	}
	return nil
}

func (s *sink) close() error {
	if s.file == nil {
		return nil
	}
	err := errors.Join(s.sync(), s.file.Close())
	s.file, s.out = nil, nil
	return err
}
