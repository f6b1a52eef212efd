// Decodes cpxd answers the way a Go client of the upstream OpenCPX SDK does: encoding/json into
// structs typed as the SDK types them. Stricter than such a client in one way: an unknown field is
// an error, so every value in an answer has a typed home (nothing is dropped on the floor).
// usage: go run decode.go FILE...   (prints one line per file; exits 1 on the first failure)
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

type Posture struct {
	Version           string                 `json:"version"`
	Timestamp         time.Time              `json:"timestamp"`
	CompliancePosture string                 `json:"compliance_posture"`
	Organization      *Organization          `json:"organization,omitempty"`
	Frameworks        []Framework            `json:"frameworks"`
	EvidenceRefs      []interface{}          `json:"evidence_refs,omitempty"`
	Extensions        map[string]interface{} `json:"extensions,omitempty"`
}

type Organization struct {
	Name    string `json:"name"`
	Domain  string `json:"domain,omitempty"`
	Contact string `json:"contact,omitempty"`
}

type Framework struct {
	Name           string    `json:"name"`
	Version        string    `json:"version,omitempty"`
	Status         string    `json:"status"`
	Score          float64   `json:"score"`
	LastAudit      string    `json:"last_audit,omitempty"`
	Auditor        string    `json:"auditor,omitempty"`
	ReportRef      string    `json:"report_ref,omitempty"`
	CertificateRef string    `json:"certificate_ref,omitempty"`
	Controls       []Control `json:"controls,omitempty"`
}

type Control struct {
	ID              string   `json:"id"`
	Title           string   `json:"title,omitempty"`
	Status          string   `json:"status"`
	Reason          string   `json:"reason,omitempty"`
	RemediationDate string   `json:"remediation_date,omitempty"`
	EvidenceRefs    []string `json:"evidence_refs,omitempty"`
}

type EvidenceRef struct {
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url"`
	Expires     string `json:"expires,omitempty"`
	Hash        string `json:"hash,omitempty"`
	SizeBytes   int64  `json:"size_bytes,omitempty"`
}

func strictDecode(data []byte, into interface{}) error {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	return decoder.Decode(into)
}

func check(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var posture Posture
	if err := strictDecode(data, &posture); err != nil {
		return "", err
	}
	// Every top-level entry is an EvidenceRef with a url; a control names one by url or hash.
	named := map[string]bool{}
	for i, raw := range posture.EvidenceRefs {
		encoded, _ := json.Marshal(raw)
		var ref EvidenceRef
		if err := strictDecode(encoded, &ref); err != nil {
			return "", fmt.Errorf("evidence_refs[%d]: %v", i, err)
		}
		if ref.URL == "" {
			return "", fmt.Errorf("evidence_refs[%d] has no url", i)
		}
		named[ref.URL] = true
		if ref.Hash != "" {
			named[ref.Hash] = true
		}
	}
	refs := 0
	for _, framework := range posture.Frameworks {
		for _, control := range framework.Controls {
			for _, ref := range control.EvidenceRefs {
				if !named[ref] {
					return "", fmt.Errorf("%s %s: evidence ref %q names no top-level entry", framework.Name, control.ID, ref)
				}
				refs++
			}
		}
	}
	return fmt.Sprintf("%d frameworks, %d evidence entries, %d control refs", len(posture.Frameworks), len(posture.EvidenceRefs), refs), nil
}

func main() {
	for _, file := range os.Args[1:] {
		summary, err := check(file)
		if err != nil {
			fmt.Printf("FAILED %s: %v\n", file, err)
			os.Exit(1)
		}
		fmt.Printf("decoded %s: %s\n", file, summary)
	}
}
