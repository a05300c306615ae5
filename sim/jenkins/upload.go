package jenkins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// Uploads to chacra, as ceph-build's jobs end: once the build step is
// done, each binary goes up with chacractl's `binary create`
// (ceph/chacractl chacractl/api/binaries.py): HEAD {arch URL}{file}/
// without credentials; a 200 means the binary is there and, without
// --force, is skipped with a warning; a 404 is followed by a multipart
// POST of the file field to the arch URL with basic auth, and anything
// above 201 fails (raise_for_status). The shell step runs with -e, so the
// first failure ends the build FAILURE.
//
// The HTTP runs in a goroutine of the Server, never under s.mu; the build
// stays building (and its executor busy) until it is done.

// Upload is what a job uploads: one small package per distro.
type Upload struct {
	Project string
	// Distros are "distro/version/arch": "ubuntu/jammy/x86_64",
	// "centos/9/x86_64". The arch is the URL's as given; the file name
	// has the package format's (amd64 in a .deb).
	Distros   []string
	User, Key string // chacra's api_user and api_key
}

// UploadRecord is one binary a build uploaded, or tried to.
type UploadRecord struct {
	Time  time.Time
	Job   string
	Build int
	URL   string // the arch URL posted to
	File  string
	// Code is the POST's status, or the HEAD's when no POST was sent; 0
	// when nothing answered.
	Code    int
	Skipped bool   // the binary existed (HEAD 200): not uploaded again
	Err     string // why it failed, "" if it did not
}

// uploadTimeout bounds each request to chacra.
const uploadTimeout = 30 * time.Second

// errStopped ends the uploads of a build that was stopped meanwhile.
var errStopped = errors.New("the build was stopped")

// SetJobUpload makes the SUCCESS-bound builds of job that have a
// non-empty CHACRA_URL parameter upload u's packages to
// CHACRA_URL/binaries/PROJECT/BRANCH/SHA1/DISTRO/VERSION/ARCH/ before they
// finish (BRANCH and SHA1 are the build's parameters). The job need not
// exist yet; a zero Upload stops the uploads.
func (s *Server) SetJobUpload(job string, u Upload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Project == "" && len(u.Distros) == 0 {
		delete(s.jobUploads, job)
		return
	}
	u.Distros = append([]string(nil), u.Distros...)
	s.jobUploads[job] = u
}

// Uploads lists every upload attempted, in order.
func (s *Server) Uploads() []UploadRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]UploadRecord(nil), s.uploads...)
}

// target is one binary to upload.
type target struct {
	endpoint string // chacractl's argument: project/ref/sha1/distro/version/arch
	url      string // the arch URL
	file     string
}

// beginUpload starts b's uploads if its job has some and it has a
// CHACRA_URL; it reports whether it did (then b is uploading).
// Called with s.mu held, when b's time is up.
func (s *Server) beginUpload(b *build) bool {
	u, ok := s.jobUploads[b.job.name]
	base, _ := b.param("CHACRA_URL")
	if !ok || strings.TrimSpace(base) == "" {
		return false
	}
	base = strings.TrimSpace(base)
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	branch, _ := b.param("BRANCH")
	sha1, _ := b.param("SHA1")
	var plan []target
	for _, d := range u.Distros {
		parts := strings.Split(d, "/")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			s.complete(b, "FAILURE", b.ends, fmt.Sprintf("ERROR: cannot upload to chacra: distro %q is not distro/version/arch", d))
			s.release(b)
			return true
		}
		ep := strings.Join([]string{u.Project, branch, sha1, parts[0], parts[1], parts[2]}, "/")
		plan = append(plan, target{endpoint: ep, url: base + "binaries/" + ep + "/", file: packageName(u.Project, parts[0], parts[1], parts[2])})
	}
	b.uploading = true
	if s.closed {
		s.complete(b, "FAILURE", b.ends, "ERROR: cannot upload to chacra: Jenkins is shutting down")
		s.release(b)
		return true
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runUpload(b, u, plan)
	}()
	return true
}

// runUpload sends b's binaries one by one, then finishes b, unless it
// was stopped (or Jenkins restarted) meanwhile.
func (s *Server) runUpload(b *build, u Upload, plan []target) {
	for _, t := range plan {
		if !s.uploadLog(b, "+ chacractl binary create "+t.endpoint+" "+t.file) {
			return
		}
		rec, lines, err := s.send(b, u, t)
		if errors.Is(err, errStopped) {
			return
		}
		s.mu.Lock()
		rec.Time = s.opts.Now()
		s.uploads = append(s.uploads, rec)
		if !b.building() {
			s.mu.Unlock()
			return
		}
		b.println(s.opts.Now(), lines...)
		if err != nil {
			s.complete(b, "FAILURE", s.opts.Now(), fmt.Sprintf("ERROR: upload of %s to %s failed: %v", t.file, t.url, err))
			s.release(b)
			s.advance()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.building() {
		s.complete(b, "SUCCESS", s.opts.Now())
		s.release(b)
		s.advance()
	}
}

// uploadLog prints lines in b's log if b still runs, and reports whether
// it does.
func (s *Server) uploadLog(b *build, lines ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !b.building() {
		return false
	}
	b.println(s.opts.Now(), lines...)
	return true
}

// send is chacractl's post of one file: what it records, what it logs
// once answered, and why it failed.
func (s *Server) send(b *build, u Upload, t target) (UploadRecord, []string, error) {
	rec := UploadRecord{Job: b.job.name, Build: b.number, URL: t.url, File: t.file}
	fileURL := t.url + t.file + "/"
	code, _, err := s.do(http.MethodHead, fileURL, "", nil, Upload{})
	rec.Code = code
	switch {
	case err != nil:
		rec.Err = err.Error()
		return rec, nil, err
	case code == http.StatusOK:
		rec.Skipped = true
		return rec, []string{"--> resource exists and --force was not used, will not upload", "--> SKIP " + fileURL}, nil
	case code != http.StatusNotFound:
		err = fmt.Errorf("HEAD %s answered %d %s", fileURL, code, http.StatusText(code))
		rec.Err = err.Error()
		return rec, nil, err
	}
	if !s.uploadLog(b, "--> POSTing file: "+t.file) {
		return rec, nil, errStopped
	}
	var lines []string
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", t.file)
	if err == nil {
		_, err = fmt.Fprintf(fw, "simulated %s package for %s, built by %s #%d\n", u.Project, t.endpoint, b.job.name, b.number)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		err = fmt.Errorf("building the form for %s: %w", t.file, err)
		rec.Err = err.Error()
		return rec, lines, err
	}
	code, answer, err := s.do(http.MethodPost, t.url, mw.FormDataContentType(), &body, u)
	rec.Code = code
	switch {
	case err != nil:
		rec.Err = err.Error()
		return rec, lines, err
	case code < 200 || code > 299:
		lines = append(lines, fmt.Sprintf("--> %d -> %s", code, oneLine(answer)))
		err = fmt.Errorf("%d %s", code, http.StatusText(code))
		rec.Err = err.Error()
		return rec, lines, err
	}
	return rec, append(lines, fmt.Sprintf("--> %d %s: %s", code, http.StatusText(code), t.url)), nil
}

// do sends one request to chacra, bounded by uploadTimeout and by Close.
func (s *Server) do(method, url, ctype string, body io.Reader, auth Upload) (int, string, error) {
	ctx, cancel := context.WithTimeout(s.ctx, uploadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, "", fmt.Errorf("%s %s: %w", method, url, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth.User != "" || auth.Key != "" {
		req.SetBasicAuth(auth.User, auth.Key)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
	}
	return resp.StatusCode, string(data), nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// packageName is the file a ceph-build job would produce for a distro: a
// .deb named with Debian's arch (amd64, arm64) for debian and ubuntu, an
// .rpm with its dist tag (el9, fc40) and RPM's arch for the RPM distros,
// a tarball elsewhere.
func packageName(project, distro, version, arch string) string {
	switch distro {
	case "debian", "ubuntu":
		return fmt.Sprintf("%s_1.0-1_%s.deb", project, debArch(arch))
	case "centos", "rhel", "rocky", "almalinux", "alma", "fedora", "opensuse", "sles":
		tag := ""
		if digits := strings.TrimLeft(version, "abcdefghijklmnopqrstuvwxyz"); digits != "" {
			tag = "el" + digits
			if distro == "fedora" {
				tag = "fc" + digits
			}
			if distro == "opensuse" || distro == "sles" {
				tag = "lp" + digits
			}
			tag += "."
		}
		return fmt.Sprintf("%s-1.0-1.%s%s.rpm", project, tag, rpmArch(arch))
	}
	return fmt.Sprintf("%s-1.0-1-%s.tar.gz", project, arch)
}

func debArch(arch string) string {
	switch arch {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "ppc64le":
		return "ppc64el"
	case "i686", "i586", "i386":
		return "i386"
	case "noarch":
		return "all"
	}
	return arch
}

func rpmArch(arch string) string {
	switch arch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "all":
		return "noarch"
	case "source":
		return "src"
	}
	return arch
}
