// Command slipway-tfrefs checks that every reference in a Terraform JSON root resolves, using the
// HCL library OpenTofu itself parses configuration with (its fork, pinned by this module).
//
// It exists because `tofu validate` needs the providers' schemas, and the providers Slipway uses
// (vault, cloudflare, zitadel, keycloak) cannot be built here: their major-version tags are not
// valid Go module versions, so the module proxy does not serve them (tools/README.md). This does
// not replace `tofu validate`: it proves what holds without a provider schema — the JSON is
// well-formed HCL JSON, only Terraform's top-level blocks appear, every `${...}` template parses,
// every variable, local, resource, data source, ephemeral resource and module it names is
// declared in the root, every `depends_on` entry names one, and every resource type belongs to a
// provider in `required_providers`.
//
//	slipway-tfrefs DIR...
//
// prints one JSON object per line per problem ({"file","line","column","summary","detail"}) and
// exits 1 when there was any, 0 otherwise, 2 on bad usage.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// The top-level blocks of the Terraform language (OpenTofu's configs.configFileSchema).
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "ephemeral", LabelNames: []string{"type", "name"}},
		{Type: "moved"},
		{Type: "import"},
		{Type: "removed"},
		{Type: "check", LabelNames: []string{"name"}},
	},
}

type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Summary string `json:"summary"`
	Detail  string `json:"detail"`
}

type root struct {
	declared  map[string]hcl.Range // "var.x", "local.x", "module.x", "T.N", "data.T.N", "ephemeral.T.N"
	providers map[string]bool      // local names in required_providers
	exprs     []hcl.Expression     // every expression that may hold references
	dependsOn []hcl.Expression
	types     []typed // resource types with where they were declared, and their `provider` meta-argument
	problems  []problem
}

type typed struct {
	typ      string
	provider string
	rng      hcl.Range
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: slipway-tfrefs DIR...")
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	failed := false
	for _, dir := range os.Args[1:] {
		for _, p := range checkDir(dir) {
			failed = true
			_ = out.Encode(p)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func checkDir(dir string) []problem {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf.json"))
	if err != nil || len(files) == 0 {
		p := problem{File: dir, Summary: "no Terraform JSON files"}
		if err != nil {
			p.Detail = err.Error()
		}
		return []problem{p}
	}
	sort.Strings(files)
	r := &root{declared: map[string]hcl.Range{}, providers: map[string]bool{}}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			r.problems = append(r.problems, problem{File: f, Summary: "unreadable", Detail: err.Error()})
			continue
		}
		file, diags := hcljson.Parse(src, f)
		r.add(diags)
		if file == nil {
			continue
		}
		r.collect(file.Body)
	}
	r.resolve()
	sort.SliceStable(r.problems, func(i, j int) bool {
		a, b := r.problems[i], r.problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return r.problems
}

func (r *root) add(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		p := problem{Summary: d.Summary, Detail: d.Detail}
		if d.Subject != nil {
			p.File, p.Line, p.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
		}
		r.problems = append(r.problems, p)
	}
}

func (r *root) declare(key string, rng hcl.Range) {
	if prev, dup := r.declared[key]; dup {
		r.add(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Duplicate declaration",
			Detail: fmt.Sprintf("%s is already declared at %s", key, prev), Subject: rng.Ptr()}})
		return
	}
	r.declared[key] = rng
}

func (r *root) collect(body hcl.Body) {
	content, diags := body.Content(rootSchema)
	r.add(diags)
	for _, b := range content.Blocks {
		switch b.Type {
		case "terraform":
			r.terraform(b.Body)
		case "variable":
			r.declare("var."+b.Labels[0], b.DefRange)
			r.attributes(b.Body, nil)
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			r.add(diags)
			for name, a := range attrs {
				r.declare("local."+name, a.NameRange)
				r.exprs = append(r.exprs, a.Expr)
			}
		case "module":
			r.declare("module."+b.Labels[0], b.DefRange)
			r.attributes(b.Body, nil)
		case "resource", "data", "ephemeral":
			key := b.Labels[0] + "." + b.Labels[1]
			if b.Type != "resource" {
				key = b.Type + "." + key
			}
			r.declare(key, b.DefRange)
			provider := ""
			r.attributes(b.Body, func(name string, a *hcl.Attribute) bool {
				switch name {
				case "depends_on":
					r.dependsOn = append(r.dependsOn, a.Expr)
					return true
				case "provider":
					if t, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() && len(t) > 0 {
						provider = t.RootName()
					}
					return true
				}
				return false
			})
			r.types = append(r.types, typed{typ: b.Labels[0], provider: provider, rng: b.DefRange})
		default:
			r.attributes(b.Body, nil)
		}
	}
}

// attributes records every expression of a block body; in JSON, nested blocks read as attributes
// holding objects, whose templates Expression.Variables() still finds.
func (r *root) attributes(body hcl.Body, meta func(string, *hcl.Attribute) bool) {
	attrs, diags := body.JustAttributes()
	r.add(diags)
	for name, a := range attrs {
		if meta != nil && meta(name, a) {
			continue
		}
		r.exprs = append(r.exprs, a.Expr)
	}
}

func (r *root) terraform(body hcl.Body) {
	content, _, diags := body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}}})
	r.add(diags)
	for _, b := range content.Blocks {
		attrs, diags := b.Body.JustAttributes()
		r.add(diags)
		for name := range attrs {
			r.providers[name] = true
		}
	}
}

func (r *root) resolve() {
	for _, e := range r.exprs {
		for _, t := range e.Variables() {
			r.reference(t)
		}
	}
	for _, e := range r.dependsOn {
		exprs, diags := hcl.ExprList(e)
		r.add(diags)
		for _, item := range exprs {
			t, diags := hcl.AbsTraversalForExpr(item)
			r.add(diags)
			if !diags.HasErrors() {
				r.reference(t)
			}
		}
	}
	for _, t := range r.types {
		name := t.provider
		if name == "" {
			name, _, _ = strings.Cut(t.typ, "_")
		}
		if !r.providers[name] {
			r.add(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Provider not required",
				Detail:  fmt.Sprintf("resource type %q belongs to provider %q, which required_providers does not declare", t.typ, name),
				Subject: t.rng.Ptr()}})
		}
	}
}

// reference checks one traversal's root against the declarations, as Terraform's addrs.ParseRef
// reads it: var.X, local.X, module.X, data.T.N, ephemeral.T.N, T.N (a managed resource).
func (r *root) reference(t hcl.Traversal) {
	parts := names(t)
	if len(parts) == 0 {
		return
	}
	var key string
	switch parts[0] {
	case "count", "each", "self", "path", "terraform", "tofu":
		return
	case "var", "local", "module":
		if len(parts) < 2 {
			key = parts[0]
		} else {
			key = parts[0] + "." + parts[1]
		}
	case "data", "ephemeral":
		if len(parts) < 3 {
			key = strings.Join(parts, ".")
		} else {
			key = strings.Join(parts[:3], ".")
		}
	default:
		if len(parts) < 2 {
			key = parts[0]
		} else {
			key = parts[0] + "." + parts[1]
		}
	}
	if _, ok := r.declared[key]; !ok {
		r.add(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Reference to undeclared " + kind(parts[0]),
			Detail: fmt.Sprintf("%s is not declared in this root", key), Subject: t.SourceRange().Ptr()}})
	}
}

func names(t hcl.Traversal) []string {
	var out []string
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			out = append(out, s.Name)
		case hcl.TraverseAttr:
			out = append(out, s.Name)
		default:
			return out
		}
	}
	return out
}

func kind(root string) string {
	switch root {
	case "var":
		return "input variable"
	case "local":
		return "local value"
	case "module":
		return "module"
	case "data":
		return "data source"
	case "ephemeral":
		return "ephemeral resource"
	}
	return "resource"
}
