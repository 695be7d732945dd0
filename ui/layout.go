package ui

import "fyne.io/fyne/v2"

// formWidth is the widest a form screen grows (login, request, passwords,
// settings): on a large window, lines of a form stay readable.
const formWidth = 860

// narrow centres o in the space it is given, at most formWidth wide and at
// full height.
func narrow(o fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: narrowLayout{}, Objects: []fyne.CanvasObject{o}}
}

// narrowLayout lays out one object as narrow describes.
type narrowLayout struct{}

// Layout centres the object horizontally, at most formWidth wide.
func (narrowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		w := min(size.Width, max(formWidth, o.MinSize().Width))
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

// MinSize is the object's.
func (narrowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}
