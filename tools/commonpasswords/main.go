// Command commonpasswords writes server/password/common.txt.gz, the list of
// common passwords that password.Policy refuses (OWASP ASVS 5.0 §6.2.4).
//
// It is run by generate.sh, which fetches its inputs from the npm registry;
// the output is committed, so neither the build nor the tests need npm. The
// inputs are the MIT-licensed dictionaries of zxcvbn-ts (Copyright (c)
// 2012-2016 Dan Wheeler and Dropbox, Inc.; Copyright (c) 2021 @zxcvbn-ts):
//
//   - -common: passwords.json of @zxcvbn-ts/language-common, a JSON array of
//     passwords ranked by frequency, of which the first -top are kept;
//   - -firstnames: the French first names of @zxcvbn-ts/language-fr (its
//     lastnames.json, the package having swapped its two lists of names);
//   - -french: a text file of obvious French passwords added by hand.
//
// The output is gzip-compressed text, one lower-case password per line, with
// no header: common passwords by rank, then the hand-picked French ones, then
// first names, each kept once and only when it has at least -min characters
// (Unicode code points), shorter ones being refused by the length rule
// anyway. The output is byte-for-byte reproducible from the same inputs.
//
// Standard library only.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

func main() {
	var (
		common     = flag.String("common", "", "passwords.json of @zxcvbn-ts/language-common (required)")
		firstnames = flag.String("firstnames", "", "JSON array of French first names (optional)")
		french     = flag.String("french", "", "hand-picked French passwords, one a line, # for comments (optional)")
		top        = flag.Int("top", 10000, "how many of the ranked common passwords to consider")
		minLen     = flag.Int("min", 6, "drop entries shorter than this many characters")
		out        = flag.String("out", "", "output file, gzip-compressed (required)")
	)
	flag.Parse()
	if *common == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*common, *firstnames, *french, *top, *minLen, *out); err != nil {
		fmt.Fprintln(os.Stderr, "commonpasswords:", err)
		os.Exit(1)
	}
}

func run(commonPath, firstnamesPath, frenchPath string, top, minLen int, outPath string) error {
	l := list{seen: map[string]bool{}, min: minLen}

	ranked, err := readJSONList(commonPath)
	if err != nil {
		return err
	}
	if len(ranked) < top {
		return fmt.Errorf("%s: %d entries, fewer than -top %d", commonPath, len(ranked), top)
	}
	n := l.add(ranked[:top])
	fmt.Fprintf(os.Stderr, "common: %d of the top %d kept\n", n, top)

	if frenchPath != "" {
		words, err := readTextList(frenchPath)
		if err != nil {
			return err
		}
		n := l.add(words)
		fmt.Fprintf(os.Stderr, "french: %d of %d new\n", n, len(words))
	}

	if firstnamesPath != "" {
		names, err := readJSONList(firstnamesPath)
		if err != nil {
			return err
		}
		if err := checkFirstNames(names); err != nil {
			return fmt.Errorf("%s: %w", firstnamesPath, err)
		}
		n := l.add(names)
		fmt.Fprintf(os.Stderr, "first names: %d of %d new\n", n, len(names))
	}

	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	for _, w := range l.words {
		fmt.Fprintln(zw, w)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(outPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d passwords, %d bytes\n", outPath, len(l.words), buf.Len())
	return nil
}

// list is an ordered set of lower-case passwords.
type list struct {
	words []string
	seen  map[string]bool
	min   int
}

// add appends the words not seen yet that are long enough and usable as a
// line, and returns how many it added.
func (l *list) add(words []string) int {
	n := 0
	for _, w := range words {
		w = strings.ToLower(w)
		if utf8.RuneCountInString(w) < l.min || strings.ContainsAny(w, "\r\n") || !utf8.ValidString(w) || l.seen[w] {
			continue
		}
		l.seen[w] = true
		l.words = append(l.words, w)
		n++
	}
	return n
}

// checkFirstNames guards against the upstream package fixing its swapped
// lists, which would silently turn this list into one of surnames.
func checkFirstNames(names []string) error {
	has := map[string]bool{}
	for _, n := range names {
		has[strings.ToLower(n)] = true
	}
	for _, want := range []string{"nathalie", "isabelle", "camille"} {
		if !has[want] {
			return fmt.Errorf("does not look like a list of first names: %q missing", want)
		}
	}
	for _, surname := range []string{"dubois", "lefebvre", "durand"} {
		if has[surname] {
			return fmt.Errorf("looks like a list of surnames: %q present", surname)
		}
	}
	return nil
}

// readJSONList reads a JSON array of strings.
func readJSONList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var words []string
	if err := json.Unmarshal(b, &words); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("%s: %w", path, errors.New("empty list"))
	}
	return words, nil
}

// readTextList reads one word a line, skipping blank lines and lines whose
// first non-blank character is « # ».
func readTextList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words = append(words, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return words, nil
}
