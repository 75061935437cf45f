// Command slipway-semver answers, for rendered ImageUpdater images, which tag Argo CD Image Updater
// v1.3.0 moves a service to with the semver strategy, using the semver library (and version) the
// updater's go.mod pins: github.com/Masterminds/semver/v3 v3.4.0.
//
// The updater's own selection (registry-scanner/pkg/image GetNewestVersionFromTags with
// ImageTagList.SortBySemVer) lives in the nested module
// github.com/argoproj-labs/argocd-image-updater/registry-scanner, which v1.3.0's go.mod replaces
// with a local directory and the module proxy does not serve, so it cannot be built from the proxy.
// This program follows that function's semver branch step by step (tools/README.md):
//
//   - the constraint is the tag part of spec.applicationRefs[].images[].imageName
//     (pkg/argocd/update.go: vc.Constraint = applicationImage.ImageTag.TagName);
//   - the live tag must parse as a semantic version, or the image is an error;
//   - no tags at all: the live tag stays;
//   - tags that do not parse are skipped, the rest sorted by semantic version, those the constraint
//     rejects skipped, the highest remaining one wins (none: no update).
//
// Input (stdin): {"cases":[{"imageName":"ghcr.io/o/blog:^1.0.0","live":"1.0.0","tags":["1.0.1"]}]}
// Output (stdout): [{"selected":"1.0.1","update":true}] in the same order; "error" when it fails.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

type testCase struct {
	ImageName string   `json:"imageName"`
	Live      string   `json:"live"`
	Tags      []string `json:"tags"`
}

type result struct {
	Constraint string  `json:"constraint"`
	Selected   *string `json:"selected"`
	Update     bool    `json:"update"`
	Error      string  `json:"error,omitempty"`
}

// constraintOf returns the tag part of an image identifier the way the updater's fallback parser
// reads one whose tag is not a valid reference tag (a constraint such as ^1.4.2 never is): an
// optional alias before '=', a registry (first component with a dot) stripped, the tag after the
// first ':'.
func constraintOf(identifier string) string {
	s := identifier
	if i := strings.Index(s, "="); i >= 0 {
		s = s[i+1:]
	}
	if comp := strings.Split(s, "/"); len(comp) > 1 && strings.Contains(comp[0], ".") {
		s = strings.Join(comp[1:], "/")
	}
	if i := strings.Index(s, "@"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ":"); i >= 0 {
		return s[i+1:]
	}
	return ""
}

func newest(c testCase) result {
	r := result{Constraint: constraintOf(c.ImageName)}
	if len(c.Tags) == 0 {
		live := c.Live
		r.Selected = &live
		return r
	}
	if c.Live != "" {
		if _, err := semver.NewVersion(c.Live); err != nil {
			r.Error = err.Error()
			return r
		}
	}
	var constraint *semver.Constraints
	if r.Constraint != "" {
		parsed, err := semver.NewConstraint(r.Constraint)
		if err != nil {
			r.Error = fmt.Sprintf("invalid constraint '%s' given: '%v'", r.Constraint, err)
			return r
		}
		constraint = parsed
	}
	versions := make([]*semver.Version, 0, len(c.Tags))
	seen := map[string]bool{}
	for _, t := range c.Tags {
		if seen[t] {
			continue
		}
		seen[t] = true
		v, err := semver.NewVersion(t)
		if err != nil {
			continue
		}
		versions = append(versions, v)
	}
	sort.Sort(semver.Collection(versions))
	for _, v := range versions {
		if constraint != nil && !constraint.Check(v) {
			continue
		}
		tag := v.Original()
		r.Selected = &tag
	}
	r.Update = r.Selected != nil && *r.Selected != c.Live
	return r
}

func main() {
	var in struct {
		Cases []testCase `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "slipway-semver:", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(in.Cases))
	for _, c := range in.Cases {
		out = append(out, newest(c))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "slipway-semver:", err)
		os.Exit(1)
	}
}
