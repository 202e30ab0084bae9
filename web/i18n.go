package web

import (
	"fmt"
	"sync"
)

// Translations: each message key has its Swedish text (first, and the
// default) and its English text. Each part of the application adds its own
// keys with addMessages in an init function; a test checks that every key a
// template or handler uses exists, in both languages.
var (
	messagesMu sync.RWMutex
	messages   = map[string][2]string{}
)

func addMessages(m map[string][2]string) {
	messagesMu.Lock()
	defer messagesMu.Unlock()
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("web: message key defined twice: " + k)
		}
		messages[k] = v
	}
}

// tr translates key into lang ("sv" or "en"), formatting args into it. An
// unknown key is returned as it is, so that it shows (and a test fails).
func tr(lang, key string, args ...any) string {
	messagesMu.RLock()
	m, ok := messages[key]
	messagesMu.RUnlock()
	if !ok {
		return key
	}
	s := m[0]
	if lang == "en" && m[1] != "" {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func init() {
	addMessages(map[string][2]string{
		"site.name":          {"Ekonomiskt bistånd – Demoköpings kommun", "Financial assistance – Demoköping municipality"},
		"site.skip":          {"Hoppa till innehållet", "Skip to content"},
		"site.lang.other":    {"In English", "På svenska"},
		"site.logout":        {"Logga ut", "Log out"},
		"site.login":         {"Logga in", "Log in"},
		"site.loggedin":      {"Inloggad som %s", "Logged in as %s"},
		"site.rules":         {"Regler och belopp", "Rules and amounts"},
		"site.accessibility": {"Tillgänglighet", "Accessibility"},
		"site.demo":          {"Demoversion med påhittade uppgifter. Inga riktiga personer finns här.", "Demo with made-up data. No real people are here."},
		"site.nav":           {"Huvudmeny", "Main menu"},
		"nav.home":           {"Start", "Home"},
		"nav.my":             {"Mina ansökningar", "My applications"},
		"nav.queue":          {"Arbetskö", "Work queue"},
		"nav.meetings":       {"Möten", "Meetings"},
		"nav.supervisor":     {"Robotöversikt", "Robot overview"},
		"nav.api":            {"API", "API"},

		"start.title":           {"Ekonomiskt bistånd", "Financial assistance"},
		"start.lead":            {"Här ansöker du om ekonomiskt bistånd (försörjningsstöd) varje månad, följer din ansökan och läser beslutet och hur beloppet räknats ut.", "Here you apply for financial assistance (försörjningsstöd) each month, follow your application and read the decision and how the amount was calculated."},
		"start.how":             {"Hur det går till", "How it works"},
		"start.how.1":           {"Logga in med e-legitimation.", "Log in with your e-ID."},
		"start.how.2":           {"Ansök för månaden. Formuläret är ifyllt med förra månadens uppgifter; ändra det som ändrats.", "Apply for the month. The form is filled in with last month's details; change what has changed."},
		"start.how.3":           {"Vi hämtar uppgifter från myndigheter i stället för att be om papper. Enkla ansökningar beslutas direkt; andra läser en handläggare.", "We fetch details from the authorities instead of asking for papers. Simple applications are decided at once; a caseworker reads the others."},
		"start.how.4":           {"Du ser beslutet och varje krona i beräkningen, med regeln bakom.", "You see the decision and every krona of the calculation, with the rule behind it."},
		"start.rules":           {"Alla regler och belopp som används är öppna för alla:", "Every rule and amount used is open to everyone:"},
		"start.demo.title":      {"Demoinloggningar", "Demo logins"},
		"start.demo.lead":       {"Välj vem du vill vara. Alla personer är påhittade.", "Choose who to be. Every person is made up."},
		"start.demo.applicants": {"Sökande", "Applicants"},
		"start.demo.staff":      {"Personal", "Staff"},
		"start.loginas":         {"Logga in som %s", "Log in as %s"},
		"start.oidc":            {"Logga in med e-legitimation", "Log in with e-ID"},

		"login.title": {"Logga in", "Log in"},

		"msg.error.title":     {"Något gick fel", "Something went wrong"},
		"msg.error.internal":  {"Ett internt fel inträffade. Försök igen om en stund; kvarstår felet, kontakta oss.", "An internal error occurred. Try again in a while; if it persists, contact us."},
		"msg.error.notfound":  {"Sidan eller uppgiften finns inte, eller så har du inte behörighet till den.", "The page or item does not exist, or you may not see it."},
		"msg.error.forbidden": {"Du har inte behörighet till den här sidan.", "You may not use this page."},
		"msg.error.conflict":  {"Uppgiften har ändrats sedan du öppnade sidan. Ladda om och försök igen.", "The item changed since you opened the page. Reload and try again."},
		"msg.error.toomany":   {"För många försök. Vänta en minut och försök igen.", "Too many attempts. Wait a minute and try again."},
		"msg.error.nocase":    {"Du har inget ärende hos oss ännu. Kontakta socialtjänsten för ett första besök.", "You have no case with us yet. Contact the social services for a first meeting."},
		"msg.error.back":      {"Till startsidan", "To the start page"},
	})
}
