// Package browser drives Debian's chromium through chromedp for the
// console's and the portal's browser tests: one browser per test, one
// browser context (its own cookies) per officer or resident, axe-core
// checks of each screen, and screenshots for the README.
//
// A test that needs the browser fails under CI=true when chromium is
// missing (CI installs it) and elsewhere skips with one clear line.
package browser
