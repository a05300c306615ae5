package jenkins

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// How Stapler (github.com/jenkinsci/stapler) binds a URL to Jenkins'
// objects, as far as the simulator's objects go:
//
//   - Stapler.getServletPath/canonicalPath: the raw request URI is split on
//     "/+"; empty and "." segments are dropped and ".." removes the one
//     before, so //computer/x and /computer/./x are /computer/x (Jenkins'
//     Jetty runs with UriCompliance.LEGACY, which lets empty segments
//     through: jenkinsci/winstone ServerConnectorBuilder).
//   - TokenList: the canonical path is cut at '/' and '\', each token
//     URL-decoded on its own (so %2F stays inside a token); a decoded ".."
//     throws IllegalArgumentException (a 500).
//   - DirectoryishDispatcher: a URL that ends on an object without a
//     trailing slash is redirected (302) to the same path plus '/' and the
//     query, whatever the method.
//   - NameBasedDispatcher + Function.bindAndInvokeAndServeResponse: a web
//     method (doXyz → "xyz", @WebMethod names) consumes its token and runs
//     whatever tokens follow: /api/json/ and /crumbIssuer/api/json/api/json
//     are both doJson. Views (index, jelly pages) only match as the last
//     token (Facet).
//   - @RequirePOST answers anything but POST 405 (CrumbFilter's retry page);
//     @POST (a verb filter) makes the method invisible to other verbs, so
//     dispatch falls through to a 404.

// call is one request on its way through the object graph.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	toks  []string
	i     int
	slash bool          // the URL ended with '/'
	path  string        // canonical raw path, as Stapler's servlet path
	user  string        // authenticated name, "anonymous" if none
	req   *BuildRequest // the record of a build request, nil for others
}

var errDotDot = errors.New("'..' in a decoded path token")

// tokenize is Stapler.canonicalPath then TokenList on a raw (escaped) path.
func tokenize(raw string) (toks []string, canon string, slash bool, err error) {
	var segs []string
	for _, seg := range strings.Split(raw, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	canon = "/" + strings.Join(segs, "/")
	if strings.HasSuffix(raw, "/") && len(segs) > 0 {
		canon += "/"
	}
	slash = strings.HasSuffix(canon, "/") || strings.HasSuffix(canon, `\`)
	for _, seg := range segs {
		for _, t := range strings.Split(seg, `\`) {
			if t == "" {
				continue
			}
			d, e := url.PathUnescape(t)
			if e != nil {
				d = t // Stapler skips malformed %HH
			}
			if d == ".." {
				return nil, canon, slash, errDotDot
			}
			toks = append(toks, d)
		}
	}
	return toks, canon, slash, nil
}

func (c *call) more() bool { return c.i < len(c.toks) }

func (c *call) peek() string {
	if c.more() {
		return c.toks[c.i]
	}
	return ""
}

func (c *call) next() string {
	t := c.peek()
	c.i++
	return t
}

// atObject handles the end of the URL on an object: the trailing-slash
// redirect, else the object's index view. It reports whether the URL
// ended here.
func (c *call) atObject(index func()) bool {
	if c.more() {
		return false
	}
	if !c.slash {
		target := c.path + "/"
		if c.r.URL.RawQuery != "" {
			target += "?" + c.r.URL.RawQuery
		}
		c.redirect(http.StatusFound, target)
		return true
	}
	if index == nil {
		c.notFound("")
	} else {
		index()
	}
	return true
}

// view reports whether the next token is a view named name and the last
// token (Stapler's Facet dispatch).
func (c *call) view(name string) bool {
	return c.i == len(c.toks)-1 && c.toks[c.i] == name
}

// requirePOST is @RequirePOST: anything but POST gets the 405 page.
func (c *call) requirePOST() bool {
	if c.r.Method == http.MethodPost {
		return true
	}
	c.s.methodNotAllowed(c)
	return false
}

// base is scheme://host of this request, as ResponseImpl.sendRedirect
// builds absolute URLs.
func (c *call) base() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}

// redirect is ResponseImpl.sendRedirect: an absolute URL as is, a path
// from this host, anything else relative to the request URI's directory
// ("." is the directory itself, ".." its parent).
func (c *call) redirect(code int, target string) {
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		if !strings.HasPrefix(target, "/") {
			dir := c.r.URL.EscapedPath()
			dir = dir[:strings.LastIndex(dir, "/")+1]
			if target != "." {
				dir += target
			}
			target = dir
		}
		if ref, err := url.Parse(target); err == nil {
			target = (&url.URL{Path: "/"}).ResolveReference(ref).String()
		}
		target = c.base() + target
	}
	c.w.Header().Set("Location", target)
	c.w.WriteHeader(code)
}
