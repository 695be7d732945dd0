package mail

import (
	"fmt"
	"strings"
)

// The mails of Espace professionnel, in French. Each function takes plain
// values and returns the Message to hand to a Sender; from is the
// habilitation address of the Caf concerned (data.Caf.HabilitationEmail) and
// cafName its name as data.Caf.Name gives it (« Caf des Hauts-de-Seine »).
// Every one of them goes to the person concerned: no mail to a Caf ever
// carries a password or a code.

// Names of the signature and of the attachment.
const (
	signatureTitle       = "Le responsable habilitations"
	letterAttachmentName = "courrier-habilitation.pdf"
)

// RequestConfirmation confirms to the person who asked for an habilitation
// that her request was received and sent to cafName. When matched is false
// (she is not on her département's list), it says so and that the Caf will
// look at the request.
func RequestConfirmation(from, to, fullName, cafName string, matched bool) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "Votre demande d'habilitation a bien été reçue. Elle a été adressée à la %s, "+
		"la Caf du département où vous résidez.\n\n", caf)
	if matched {
		b.WriteString("Lors du traitement de votre demande, la Caf vous adressera un courrier comprenant " +
			"une partie à compléter, signer et lui retourner (par mail ou par voie postale).\n" +
			"À réception de cet accord écrit, la Caf validera votre demande et un mot de passe " +
			"vous sera adressé automatiquement par mail.\n\n")
	} else {
		b.WriteString("Vos coordonnées n'ont pas été trouvées dans la liste des assistants maternels " +
			"inscrits sur le site, transmise par le Conseil départemental.\n" +
			"Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre " +
			"département pour connaître la procédure à suivre.\n" +
			"Votre demande est conservée : la Caf l'examinera et reviendra vers vous.\n\n")
	}
	b.WriteString("Votre adresse électronique ne sera jamais publiée sur le site.\n\n")
	b.WriteString(signature(caf))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre demande d'habilitation a bien été reçue",
		Text:    b.String(),
	}
}

// AccountCreated gives a childminder or a structure the password generated
// when her habilitation was validated, in the words of the seed manual:
//
//	Bonjour [Prénom Nom],
//	Votre compte a été créé sur [site].
//	Votre mot de passe est « x1WisU2H ».
//	Cordialement,
//	Le responsable habilitations
//	[adresse habilitations de la Caf]
//
// followed by a line saying that the password must be changed at the first
// login and expires after validDays days.
func AccountCreated(from, to, fullName, site, password, cafSignatureAddress string, validDays int) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour %s,\n", oneLine(fullName))
	fmt.Fprintf(&b, "Votre compte a été créé sur %s.\n", oneLine(site))
	fmt.Fprintf(&b, "Votre mot de passe est « %s ».\n", password)
	b.WriteString("Cordialement,\n")
	b.WriteString(signatureTitle + "\n")
	b.WriteString(oneLine(cafSignatureAddress) + "\n\n")
	fmt.Fprintf(&b, "À la première connexion, ce mot de passe devra être modifié ; "+
		"il expire %s après l'envoi de ce message.\n", plural(validDays, "jour", "jours"))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre compte a été créé",
		Text:    b.String(),
		Secret:  true,
	}
}

// PasswordResetCode sends the single-use code that sets a new password
// (« Mot de passe oublié ? »), valid validMinutes minutes.
func PasswordResetCode(from, to, fullName, code string, validMinutes int) Message {
	var b strings.Builder
	b.WriteString(greeting(fullName))
	b.WriteString("Vous avez demandé à changer votre mot de passe (« Mot de passe oublié ? »).\n\n")
	fmt.Fprintf(&b, "Votre code est « %s ».\n\n", code)
	fmt.Fprintf(&b, "Saisissez-le dans l'application pour choisir un nouveau mot de passe. "+
		"Il est valable %s et ne peut servir qu'une fois.\n\n", plural(validMinutes, "minute", "minutes"))
	b.WriteString("Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : " +
		"votre mot de passe actuel reste valable.\n\n")
	b.WriteString("Cordialement,\n" + signatureTitle + "\n")
	return Message{
		From:    from,
		To:      to,
		Subject: "Mot de passe oublié : votre code pour choisir un nouveau mot de passe",
		Text:    b.String(),
		Secret:  true,
	}
}

// AgentWelcome tells a Caf agent that the national administrator created
// her account, and gives the single-use code, valid validHours hours, with
// which she chooses her password.
func AgentWelcome(from, to, fullName, cafName, code string, validHours int) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "L'administrateur national vous a créé un compte d'agent de la %s "+
		"dans Espace professionnel. Il vous permet de traiter les demandes d'habilitation "+
		"et de suivre les assistants maternels et les structures de votre Caf.\n\n", caf)
	fmt.Fprintf(&b, "Pour choisir votre mot de passe, saisissez dans l'application votre adresse "+
		"électronique et ce code à usage unique :\n\n« %s »\n\n", code)
	fmt.Fprintf(&b, "Ce code est valable %s et ne peut servir qu'une fois. "+
		"Passé ce délai, demandez un nouveau code par « Mot de passe oublié ? ».\n\n",
		plural(validHours, "heure", "heures"))
	b.WriteString("Si vous n'attendiez pas ce message, ignorez-le : aucun mot de passe n'a été choisi.\n\n")
	b.WriteString("Cordialement,\nL'administrateur national d'Espace professionnel\n")
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre compte d'agent de la " + caf + " a été créé",
		Text:    b.String(),
		Secret:  true,
	}
}

// HabilitationLetter sends the Caf's letter (« courrier d'habilitation »)
// as a PDF attachment, and asks to complete, sign and return its reply slip
// by mail or by post.
func HabilitationLetter(from, to, fullName, cafName string, pdf []byte) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "Suite à votre demande d'habilitation, la %s vous adresse ci-joint votre "+
		"courrier d'habilitation (document PDF).\n\n", caf)
	b.WriteString("Merci de compléter et de signer la partie à retourner, puis de la renvoyer à la Caf :\n" +
		"- par mail, en réponse à ce message (document scanné ou photographié) ;\n" +
		"- ou par voie postale, à l'adresse indiquée sur le courrier.\n\n")
	b.WriteString("À réception de cet accord écrit, la Caf validera votre demande et un mot de passe " +
		"vous sera adressé automatiquement par mail.\n\n")
	b.WriteString(signature(caf))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre courrier d'habilitation à compléter et à retourner",
		Text:    b.String(),
		Attachments: []Attachment{{
			Name: letterAttachmentName, ContentType: "application/pdf", Data: pdf,
		}},
	}
}

// HabilitationRefused tells that cafName refused the habilitation request,
// and why when reason is not empty.
func HabilitationRefused(from, to, fullName, cafName, reason string) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "La %s n'a pas pu donner suite à votre demande d'habilitation.\n\n", caf)
	b.WriteString(reasonLine("Motif", reason))
	b.WriteString("Pour toute question, vous pouvez répondre à ce message ou contacter la Caf " +
		"de votre département.\n\n")
	b.WriteString(signature(caf))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre demande d'habilitation n'a pas été acceptée",
		Text:    b.String(),
	}
}

// HabilitationSuspended tells that cafName suspended the habilitation, and
// why when reason is not empty.
func HabilitationSuspended(from, to, fullName, cafName, reason string) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "La %s a suspendu votre habilitation. Tant qu'elle est suspendue, "+
		"vous ne pouvez plus vous connecter à l'espace professionnel ni mettre à jour "+
		"vos disponibilités.\n\n", caf)
	b.WriteString(reasonLine("Motif", reason))
	b.WriteString("Pour toute question, vous pouvez répondre à ce message.\n\n")
	b.WriteString(signature(caf))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre habilitation est suspendue",
		Text:    b.String(),
	}
}

// HabilitationReactivated tells that cafName reactivated a suspended
// habilitation; reason, when not empty, is the Caf's word on it.
func HabilitationReactivated(from, to, fullName, cafName, reason string) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "La %s a réactivé votre habilitation : vous pouvez de nouveau vous connecter "+
		"à l'espace professionnel et mettre à jour vos disponibilités.\n\n", caf)
	b.WriteString(reasonLine("Précision de la Caf", reason))
	b.WriteString("Connectez-vous avec votre adresse électronique et votre mot de passe habituels ; " +
		"en cas d'oubli, utilisez « Mot de passe oublié ? ».\n\n")
	b.WriteString(signature(caf))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre habilitation est de nouveau active",
		Text:    b.String(),
	}
}

// HabilitationRevoked tells that cafName ended the habilitation, and why
// when reason is not empty.
func HabilitationRevoked(from, to, fullName, cafName, reason string) Message {
	caf := oneLine(cafName)
	var b strings.Builder
	b.WriteString(greeting(fullName))
	fmt.Fprintf(&b, "La %s a mis fin à votre habilitation. Vous ne pouvez plus vous connecter "+
		"à l'espace professionnel ni mettre à jour vos disponibilités.\n\n", caf)
	b.WriteString(reasonLine("Motif", reason))
	b.WriteString("Si vous souhaitez de nouveau afficher vos disponibilités, vous pouvez faire une " +
		"nouvelle demande d'habilitation (« Faites votre demande d'habilitation en ligne »). " +
		"Pour toute question, vous pouvez répondre à ce message.\n\n")
	b.WriteString(signature(caf))
	return Message{
		From:    from,
		To:      to,
		Subject: "Votre habilitation a été retirée",
		Text:    b.String(),
	}
}

// greeting returns « Bonjour Prénom Nom, » and a blank line.
func greeting(fullName string) string {
	name := oneLine(fullName)
	if name == "" {
		return "Bonjour,\n\n"
	}
	return "Bonjour " + name + ",\n\n"
}

// signature returns the closing of the Caf's mails.
func signature(cafName string) string {
	return "Cordialement,\n" + signatureTitle + "\n" + cafName + "\n"
}

// reasonLine returns "label : reason" and a blank line, or "" when reason is
// blank. A multi-line reason keeps its lines.
func reasonLine(label, reason string) string {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if reason == "" {
		return ""
	}
	return label + " : " + reason + "\n\n"
}

// oneLine trims s and replaces its control characters (line breaks
// included) by spaces, so that a value never breaks the layout of a mail.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// plural returns "n singular" or "n plural" (French: 0 and 1 are singular).
func plural(n int, singular, pluralForm string) string {
	if n <= 1 && n >= -1 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, pluralForm)
}
