// Package pwcheck tells a weak wallet password from a fair one, so that
// every place a new password is chosen (the app's wizard and Keys tab, the
// CLI's wallet create, restore and passwd) warns the same way.
//
// A password is weak when it is shorter than MinLength characters, or when
// it is, ignoring case and any digits or symbols added at its end, one of
// the 1,000 most common passwords (common.txt, from SecLists, MIT). Weak is
// a warning, not a rule: the caller asks the user to confirm and then
// accepts it. The password only guards the wallet file on this computer;
// the recovery words are the backup.
package pwcheck
