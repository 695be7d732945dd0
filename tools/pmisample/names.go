package main

// The hand lists the sample lists draw from: common French names (with
// accents, ligatures, apostrophes and compound names), Corsican names for
// the 2A, street types and names, and address complements (some with a
// comma, quotes or a line break, which a CSV writer must quote).

var lastNames = []string{
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
	"Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
	"Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
	"Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
	"Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
	"Roche", "Noël", "Meyer", "Lucas", "Meunier", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier",
	"Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Renard", "Arnaud", "Caron", "Aubert", "Giraud",
	"Leclerc", "Vidal", "Bourgeois", "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis", "Da Silva",
	"Rivière", "Le Gall", "Ménard", "Prévost", "Carré", "Rémy", "Cœurdevey", "Bœuf", "N'Diaye", "Diallo",
	"Traoré", "Koné", "Haddad", "Benali", "Saïdi", "Mendès", "Le Bihan", "Martin-Lefèvre", "Durand-Mercier",
	"D'Almeida", "De Oliveira", "Lefèbvre-Dupré", "Kerjean", "Benoît", "Texier", "Thébault", "Boucher",
}

var corsicanLastNames = []string{
	"Santoni", "Luciani", "Pietri", "Colonna", "Casanova", "Giacometti", "Filippi", "Mattei", "Orsini",
	"Paoli", "Leca", "Susini", "Ottaviani", "Bartoli", "Albertini", "Cristofari", "Poli", "Rossi",
	"Giudicelli", "Agostini", "Peretti", "Tomasi", "Antonetti", "Marcaggi", "Quilichini", "Culioli",
}

var femaleFirstNames = []string{
	"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie", "Christine", "Céline",
	"Stéphanie", "Véronique", "Sophie", "Aurélie", "Émilie", "Julie", "Laurence", "Karine", "Caroline",
	"Virginie", "Patricia", "Hélène", "Léa", "Chloé", "Zoë", "Maëlle", "Anaïs", "Noémie", "Élodie",
	"Séverine", "Françoise", "Geneviève", "Brigitte", "Martine", "Monique", "Nadia", "Fatima", "Aïcha",
	"Fatoumata", "Aminata", "Samira", "Khadija", "Leïla", "Yasmina", "Malika", "Nadège", "Mélanie",
	"Marie-Hélène", "Anne-Sophie", "Marie-Thérèse", "Marie-Claire", "Anne-Laure", "Marie-Christine",
	"Marie-José", "Rose-Marie", "Jeanne", "Josiane", "Danielle", "Corinne", "Florence", "Agnès",
	"Béatrice", "Pascale", "Delphine", "Audrey", "Laetitia", "Jennifer", "Vanessa", "Magali", "Gaëlle",
	"Solène", "Inès", "Manon", "Camille", "Pauline", "Margaux", "Claire", "Lucie", "Juliette", "Océane",
	"Mathilde", "Ophélie", "Annick", "Éliane", "Jocelyne", "Ghislaine", "Régine", "Bérénice", "Cécile",
	"Estelle", "Rachida", "Souad", "Ngozi", "Mariama", "Thi Lan", "Ana Maria", "Maria", "Fernanda",
	"Dalila", "Nora",
}

var maleFirstNames = []string{
	"Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Laurent", "Stéphane",
	"Frédéric", "Jérôme", "Sébastien", "Karim", "Mamadou", "Jean-François", "Jean-Luc", "Hervé", "Joël",
}

var streetTypes = []string{
	"rue", "rue", "rue", "rue", "avenue", "avenue", "boulevard", "allée", "impasse", "place",
	"chemin", "square", "villa", "sentier", "quai", "passage", "cours", "résidence",
}

var streetNames = []string{
	"des Lilas", "Victor Hugo", "Jean Jaurès", "de la République", "du Général Leclerc", "Gabriel Péri",
	"Pasteur", "de Verdun", "des Écoles", "du Maréchal Foch", "Émile Zola", "de la Gare",
	"Paul Vaillant-Couturier", "Anatole France", "Jules Ferry", "des Acacias", "du 8 Mai 1945",
	"Aristide Briand", "Henri Barbusse", "de l'Église", "des Peupliers", "de Sèvres", "du Château",
	"Carnot", "Gambetta", "Voltaire", "Salvador Allende", "de Stalingrad", "Édouard Vaillant",
	"de la Paix", "des Tilleuls", "d'Estienne d'Orves", "Raspail", "du Moulin", "de la Fontaine",
	"des Marronniers", "du Onze Novembre", "Jean Moulin", "Charles de Gaulle", "de la Liberté",
	"Georges Clemenceau", "Louise Michel", "Simone Veil", "des Bleuets", "des Vignes", "du Parc",
	"Marcel Sembat", "de Bretagne", "des Coquelicots", "Danton", "Condorcet", "Lazare Carnot",
	"des Jardins", "du Stade", "Paul Bert", "Albert Camus", "Séverine", "de l'Abbé Grégoire",
	"Pierre Brossolette", "Guy Môquet", "des Rosiers", "du Colonel Fabien", "de la Mairie",
}

var complements = []string{
	"Bâtiment B", "Résidence Les Tilleuls, bâtiment C", `Résidence "Le Parc"`, "Escalier 2, 3e étage",
	"Appartement 12", "Escalier C\nporte 4", "Chez M. et Mme Dumas", "Bât. A - porte 21",
}
