// Package chromium holds the headless-browser test of the parents' search
// page (DESIGN.md §6): Debian's Chromium, driven through the Chrome DevTools
// Protocol by chromedp, loads the page of a real service over HTTPS, fills
// in and sends its form, and reads the colours and words of the results.
//
// The test needs /usr/bin/chromium (scripts/install-deps.sh browser, which
// `make test` runs). Without it the test is skipped on a developer's
// machine and fails on CI (CI set).
package chromium
