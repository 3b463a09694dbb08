package wizard

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/keystore/pwcheck"
	core "github.com/satchelbtc/satchel/wallet"
)

// errNoSource is shown when the wizard was built without a Source.
var errNoSource = errors.New("the wizard has no way to write wallets")

// chooseKey handles the first screen: create, restore or import. esc does
// nothing here; quitting is the root's.
func (m *Model) chooseKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.moveList(msg, len(actions)) {
		return nil
	}
	if key.Matches(msg, m.KeyMap.Select) {
		m.action = action(m.cursor)
		switch m.action {
		case actImport, actMultisig:
			m.goTo(stepImport, 0)
			m.watchAt = 0
			focus(m.watch[:], 0)
			m.recheckWatch()
		case actRestore:
			m.enterWords()
		default:
			m.goTo(stepScript, m.script)
		}
	}
	return nil
}

// enterWords shows the restore words.
func (m *Model) enterWords() {
	m.goTo(stepWords, 0)
	m.entry.Focus()
	m.refreshEntry()
}

// scriptKey handles the script type list. On restore its first entry
// looks for the types the seed used.
func (m *Model) scriptKey(msg tea.KeyPressMsg) tea.Cmd {
	off := m.scriptOffset()
	if m.moveList(msg, len(scriptChoices)+off) {
		m.msg = ""
		return nil
	}
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		if m.action == actRestore {
			m.enterBirthday()
			return m.askChain()
		}
		m.goTo(stepChoose, int(m.action))
	case key.Matches(msg, m.KeyMap.Select):
		if off == 1 && m.cursor == 0 {
			return m.startDiscover()
		}
		m.script = m.cursor - off
		if m.action == actCreate {
			m.goTo(stepCount, m.count)
			return nil
		}
		m.discovering = false
		m.enterPassword()
	}
	return nil
}

// scriptOffset is where scriptChoices start in the list on screen: after
// the discovery entry on restore.
func (m *Model) scriptOffset() int {
	if m.action == actRestore {
		return 1
	}
	return 0
}

// enterScript shows the script type list with the cursor on the type
// chosen before.
func (m *Model) enterScript() {
	m.goTo(stepScript, m.script+m.scriptOffset())
}

// enterPassword shows the password step.
func (m *Model) enterPassword() {
	m.goTo(stepPassword, 0)
	m.weak = ""
	m.passwordAt = 0
	focus(m.password[:], 0)
}

// countKey handles the choice of 12 or 24 words and asks for new words.
// Going back and forth keeps the words already shown.
func (m *Model) countKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.moveList(msg, len(wordCounts)) {
		return nil
	}
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		m.generating = false
		m.seq++ // drop words still being made
		m.goTo(stepScript, m.script)
	case key.Matches(msg, m.KeyMap.Select):
		if m.generating {
			return nil
		}
		m.count = m.cursor
		n := wordCounts[m.count]
		if len(m.mnemonic) == n {
			m.goTo(stepShow, 0)
			return nil
		}
		return m.generate(n)
	}
	return nil
}

// generate returns a command that makes n new words.
func (m *Model) generate(n int) tea.Cmd {
	m.seq++
	m.generating = true
	m.msg = ""
	id, seq, src := m.id, m.seq, m.src
	return func() tea.Msg {
		msg := mnemonicMsg{id: id, seq: seq}
		if src == nil {
			msg.err = errNoSource
			return msg
		}
		msg.mnemonic, msg.err = src.NewMnemonic(n)
		return msg
	}
}

// gotMnemonic takes new words, checks them and shows them.
func (m *Model) gotMnemonic(msg mnemonicMsg) {
	m.generating = false
	mn, err := msg.mnemonic, msg.err
	if err == nil {
		mn, err = keystore.NormalizeMnemonic(mn)
	}
	if err != nil {
		m.msg = "Could not make new words: " + err.Error()
		return
	}
	m.mnemonic = strings.Fields(mn)
	m.positions = m.pickPositions(len(m.mnemonic))
	m.verified = [3]bool{}
	resetAll(m.verify[:])
	if m.step == stepCount {
		m.goTo(stepShow, 0)
	}
}

// showKey handles the screen that shows the new words.
func (m *Model) showKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		m.goTo(stepCount, m.count)
	case key.Matches(msg, m.KeyMap.Select):
		m.goTo(stepVerify, 0)
		resetAll(m.verify[:])
		m.verified = [3]bool{}
		m.verifyAt = 0
		focus(m.verify[:], 0)
	}
	return nil
}

// verifyKey handles the three words typed back.
func (m *Model) verifyKey(msg tea.KeyPressMsg) tea.Cmd {
	f := &m.verify[m.verifyAt]
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		blurAll(m.verify[:])
		m.goTo(stepShow, 0)
	case key.Matches(msg, m.KeyMap.Complete):
		complete(f)
	case key.Matches(msg, m.KeyMap.Select):
		m.checkVerify()
	default:
		m.msg = ""
		return m.edit(f, msg)
	}
	return nil
}

// checkVerify compares the focused field with its word and moves on when
// it is right.
func (m *Model) checkVerify() {
	at := m.verifyAt
	pos := m.positions[at]
	w := normalizeWord(m.verify[at].Value())
	switch {
	case w == "":
		m.msg = fmt.Sprintf("Type word %d from your list.", pos)
	case !isWord(w):
		m.msg = capitalize(unknownWord(w, pos).Error()) + "."
	case w != m.mnemonic[pos-1]:
		m.msg = fmt.Sprintf("Word %d is wrong: check what you wrote down, or press esc to see the words again.", pos)
	default:
		m.msg = ""
		m.verified[at] = true
		if at == len(m.verify)-1 {
			blurAll(m.verify[:])
			m.enterPassphrase()
			return
		}
		m.verifyAt++
		focus(m.verify[:], m.verifyAt)
	}
}

// wordsKey handles the restore words: typing with completion, one word at
// a time, and going on when the checksum is right.
func (m *Model) wordsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		m.entry.Blur()
		m.goTo(stepChoose, int(actRestore))
		return nil
	case key.Matches(msg, k.Complete):
		m.msg = ""
		complete(&m.entry)
	case key.Matches(msg, k.NextWord):
		m.acceptWord()
	case key.Matches(msg, k.Select):
		if strings.TrimSpace(m.entry.Value()) != "" {
			m.acceptWord()
		} else {
			m.finishWords()
		}
	case key.Matches(msg, k.EditPrevious) && m.entry.Value() == "":
		m.msg = ""
		m.popWord()
	case len(strings.Fields(msg.Text)) > 1:
		// Several words at once: a paste without bracketed paste.
		m.pasteWords(msg.Text)
	default:
		m.msg = ""
		cmd = m.edit(&m.entry, msg)
	}
	m.refreshEntry()
	return cmd
}

// acceptWord takes the word in the field. A prefix that only one BIP39
// word starts is that word (the words are unique in four letters).
func (m *Model) acceptWord() {
	w := normalizeWord(m.entry.Value())
	if w == "" {
		return
	}
	if len(m.words) >= maxWords {
		m.msg = fmt.Sprintf("A phrase has at most %d words.", maxWords)
		return
	}
	if !isWord(w) {
		ms, n := matches(w, 1)
		switch {
		case n == 1:
			w = ms[0]
		case n > 1:
			m.msg = fmt.Sprintf("%q starts %d words: type more letters, or tab for %q.", w, n, ms[0])
			return
		default:
			return // flagged by refreshEntry
		}
	}
	m.msg = ""
	m.words = append(m.words, w)
	m.entry.Reset()
	if len(m.pending) > 0 {
		p := m.pending
		m.pending = nil
		m.feed(p)
	}
}

// feed takes pasted words in order until one is not a BIP39 word; that
// one goes into the field to be fixed and the rest wait for it.
func (m *Model) feed(words []string) {
	for i, w := range words {
		w = normalizeWord(w)
		if len(m.words) >= maxWords {
			m.msg = fmt.Sprintf("A phrase has at most %d words; the last %d pasted words were left out.", maxWords, len(words)-i)
			return
		}
		if !isWord(w) {
			m.entry.SetValue(w)
			m.entry.CursorEnd()
			m.pending = append([]string(nil), words[i+1:]...)
			return
		}
		m.words = append(m.words, w)
	}
}

// pasteWords takes pasted text: a single word goes into the field, a
// phrase is split into words.
func (m *Model) pasteWords(text string) {
	m.msg = ""
	if !strings.ContainsAny(text, " \t\r\n") {
		m.entry, _ = m.entry.Update(tea.PasteMsg{Content: text})
		return
	}
	words := strings.Fields(m.entry.Value() + text)
	m.entry.Reset()
	m.pending = nil
	m.feed(words)
}

// popWord takes the last word back into the field for editing.
func (m *Model) popWord() {
	n := len(m.words)
	if n == 0 {
		return
	}
	m.entry.SetValue(m.words[n-1])
	m.entry.CursorEnd()
	m.words = m.words[:n-1]
}

// refreshEntry recomputes the live checks of the restore words.
func (m *Model) refreshEntry() {
	m.check = checkPhrase(m.words)
	m.flag = ""
	if v := normalizeWord(m.entry.Value()); v != "" {
		if _, n := matches(v, 1); n == 0 {
			m.flag = capitalize(unknownWord(v, len(m.words)+1).Error()) + "."
		}
	}
}

// finishWords goes on to the passphrase when the words are a valid phrase.
func (m *Model) finishWords() {
	switch m.check {
	case checkOK:
		m.entry.Blur()
		m.enterPassphrase()
	case checkNone:
		m.msg = "Type the first word, or paste the whole phrase."
	case checkCount:
		m.msg = fmt.Sprintf("%d words so far; a phrase has 12, 15, 18, 21 or 24 words.", len(m.words))
	case checkBad:
		m.msg = "The checksum does not match: a word is wrong or out of order. Backspace edits the last word."
	}
}

// enterPassphrase shows the passphrase step.
func (m *Model) enterPassphrase() {
	m.goTo(stepPassphrase, 0)
	m.phraseAt = 0
	focus(m.phrase[:], 0)
}

// phraseFields is how many passphrase fields the flow uses: a new
// passphrase is typed twice, a restored one once.
func (m *Model) phraseFields() int {
	if m.action == actCreate {
		return 2
	}
	return 1
}

// passphraseKey handles the optional BIP39 passphrase.
func (m *Model) passphraseKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		blurAll(m.phrase[:])
		if m.action == actCreate {
			m.goTo(stepVerify, 0)
			m.verifyAt = len(m.verify) - 1
			focus(m.verify[:], m.verifyAt)
			return nil
		}
		m.enterWords()
	case key.Matches(msg, m.KeyMap.Select):
		first := m.phrase[0].Value()
		if m.phraseAt == 0 && m.phraseFields() == 2 && first != "" {
			m.msg = ""
			m.phraseAt = 1
			focus(m.phrase[:], 1)
			return nil
		}
		if m.phraseFields() == 2 && first != "" && first != m.phrase[1].Value() {
			m.msg = "The passphrases do not match; type them again."
			resetAll(m.phrase[:])
			m.phraseAt = 0
			focus(m.phrase[:], 0)
			return nil
		}
		if m.phraseFields() == 2 && first == "" {
			m.phrase[1].Reset()
		}
		blurAll(m.phrase[:])
		if m.action == actRestore {
			m.enterBirthday()
			return m.askChain()
		}
		m.enterPassword()
	default:
		return m.edit(&m.phrase[m.phraseAt], msg)
	}
	return nil
}

// passwordKey handles the password, typed twice. A weak one is taken
// only after a second enter; esc then starts over.
func (m *Model) passwordKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.weak != "" {
		switch {
		case key.Matches(msg, m.KeyMap.Select):
			m.weak = ""
			return m.startCreate()
		case key.Matches(msg, m.common.KeyMap.Back):
			m.weak = ""
			m.msg = ""
			resetAll(m.password[:])
			m.passwordAt = 0
			focus(m.password[:], 0)
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		blurAll(m.password[:])
		switch {
		case m.action == actCreate:
			m.enterPassphrase()
		case m.discovering:
			m.goTo(stepFound, 0)
		default:
			m.enterScript()
		}
	case key.Matches(msg, m.KeyMap.Select):
		first := m.password[0].Value()
		switch {
		case first == "":
			m.msg = "Choose a password: it encrypts the keys in the wallet file."
			m.passwordAt = 0
			focus(m.password[:], 0)
		case m.passwordAt == 0:
			m.msg = ""
			m.passwordAt = 1
			focus(m.password[:], 1)
		case first != m.password[1].Value():
			m.msg = "The passwords do not match; type them again."
			resetAll(m.password[:])
			m.passwordAt = 0
			focus(m.password[:], 0)
		default:
			if err := pwcheck.Check([]byte(first)); err != nil {
				m.weak = err.Error() + "."
				m.msg = ""
				blurAll(m.password[:])
				return nil
			}
			return m.startCreate()
		}
	default:
		return m.edit(&m.password[m.passwordAt], msg)
	}
	return nil
}

// importKey handles the descriptor or key and the optional change
// descriptor, checked as they are typed.
func (m *Model) importKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		if m.watchAt == 1 {
			m.watchAt = 0
			focus(m.watch[:], 0)
			return nil
		}
		blurAll(m.watch[:])
		m.goTo(stepChoose, int(m.action))
	case key.Matches(msg, m.KeyMap.Select):
		return m.submitWatch()
	default:
		m.msg = ""
		cmd := m.edit(&m.watch[m.watchAt], msg)
		m.recheckWatch()
		return cmd
	}
	return nil
}

// recheckWatch validates the import fields.
func (m *Model) recheckWatch() {
	m.watchIn, m.watchErr, m.changeErr = watchInput{}, "", ""
	if strings.TrimSpace(m.watch[0].Value()) != "" {
		parse := parseWatch
		if m.action == actMultisig {
			parse = parseMultisig
		}
		in, err := parse(m.watch[0].Value(), m.net)
		if err != nil {
			m.watchErr = capitalize(err.Error())
		} else {
			m.watchIn = in
		}
	}
	if !m.watchIn.ok() || !m.watchIn.needsChange() {
		m.watch[1].Reset()
		if m.watchAt == 1 {
			m.watchAt = 0
			focus(m.watch[:], 0)
		}
		return
	}
	if _, err := parseChange(m.watch[1].Value(), m.watchIn, m.net); err != nil {
		m.changeErr = capitalize(err.Error())
	}
}

// submitWatch goes on from an import field: to the change field after a
// receive-only descriptor, else to writing the wallet.
func (m *Model) submitWatch() tea.Cmd {
	m.recheckWatch()
	switch {
	case !m.watchIn.ok():
		if m.watchErr == "" {
			m.watchErr = "Paste a descriptor or an extended public key."
			if m.action == actMultisig {
				m.watchErr = "Paste a multisig descriptor such as wsh(sortedmulti(2,…))."
			}
		}
		return nil
	case m.watchAt == 0 && m.watchIn.needsChange():
		m.watchAt = 1
		focus(m.watch[:], 1)
		return nil
	case m.changeErr != "":
		return nil
	}
	blurAll(m.watch[:])
	m.enterBirthday()
	return m.askChain()
}

// startCreate writes the wallet from the words in a command.
func (m *Model) startCreate() tea.Cmd {
	restored := m.action == actRestore
	words := m.mnemonic
	if restored {
		words = m.words
	}
	mnemonic, err := keystore.NormalizeMnemonic(strings.Join(words, " "))
	if err != nil {
		m.msg = capitalize(err.Error()) + "."
		return nil
	}
	req := CreateRequest{Mnemonic: mnemonic, Passphrase: m.phrase[0].Value(),
		Password: []byte(m.password[0].Value()), Types: m.chosenTypes(), Restored: restored,
		Birthday: core.UnknownBirthday}
	if restored {
		req.Birthday = m.bday
	}
	src, ctx := m.src, m.common.Context()
	return m.startWork(false, func() error {
		defer clear(req.Password)
		if src == nil {
			return errNoSource
		}
		return src.Create(ctx, req)
	})
}

// startImport writes the watch-only wallet in a command.
func (m *Model) startImport() tea.Cmd {
	var descs []string
	xpub := ""
	if m.watchIn.wo.FromKey {
		xpub = m.watchIn.text
	} else {
		descs = []string{m.watchIn.text}
		if c := strings.TrimSpace(m.watch[1].Value()); c != "" {
			descs = append(descs, c)
		}
	}
	src, ctx, bday := m.src, m.common.Context(), m.bday
	return m.startWork(true, func() error {
		if src == nil {
			return errNoSource
		}
		return src.Import(ctx, descs, xpub, bday)
	})
}

// startWork shows the working screen and runs work in a command.
func (m *Model) startWork(watchOnly bool, work func() error) tea.Cmd {
	m.seq++
	m.msg = ""
	m.step = stepWorking
	blurAll(m.password[:])
	blurAll(m.watch[:])
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(m.common.Styles.Muted))
	id, seq := m.id, m.seq
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		return resultMsg{id: id, seq: seq, watchOnly: watchOnly, err: work()}
	})
}

// finished applies the result of Create or Import: an error goes back to
// the step before, keeping everything else; success forgets the secrets
// and emits DoneMsg.
func (m *Model) finished(msg resultMsg) tea.Cmd {
	if msg.err != nil {
		if msg.watchOnly {
			m.goTo(stepImport, 0)
			focus(m.watch[:], m.watchAt)
			m.msg = "Could not import the wallet: " + msg.err.Error()
			return nil
		}
		m.enterPassword()
		resetAll(m.password[:])
		m.msg = "Could not write the wallet: " + msg.err.Error()
		return nil
	}
	m.step = stepDone
	m.forgetSecrets()
	return func() tea.Msg { return DoneMsg{WatchOnly: msg.watchOnly} }
}

// forgetSecrets drops the words, passphrase and passwords once the wallet
// is written. Go strings cannot be wiped; this keeps them from living as
// long as the model.
func (m *Model) forgetSecrets() {
	m.mnemonic, m.words, m.pending = nil, nil, nil
	m.entry.Reset()
	resetAll(m.verify[:])
	resetAll(m.phrase[:])
	resetAll(m.password[:])
	resetAll(m.watch[:])
	m.birthday.Reset()
	m.found, m.picked, m.names = nil, nil, nil
}

// paste sends pasted text to the focused field, and returns what the
// field's check starts.
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch m.step {
	case stepWords:
		m.pasteWords(msg.Content)
		m.refreshEntry()
	case stepVerify:
		m.msg = ""
		m.verify[m.verifyAt], _ = m.verify[m.verifyAt].Update(msg)
	case stepPassphrase:
		m.phrase[m.phraseAt], _ = m.phrase[m.phraseAt].Update(msg)
	case stepBirthday:
		m.birthday, _ = m.birthday.Update(msg)
		return m.recheckBirthday()
	case stepPassword:
		if m.weak == "" {
			m.password[m.passwordAt], _ = m.password[m.passwordAt].Update(msg)
		}
	case stepImport:
		m.msg = ""
		m.watch[m.watchAt], _ = m.watch[m.watchAt].Update(msg)
		m.recheckWatch()
	}
	return nil
}

// capitalize upper-cases the first letter of an error message shown as a
// sentence.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
