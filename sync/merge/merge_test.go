package merge

import (
	"testing"

	"espacepro/data"
)

func TestDecide(t *testing.T) {
	early := data.HLC{Wall: 1000, Node: "a"}
	late := data.HLC{Wall: 2000, Node: "b"}
	sameTimeHigherNode := data.HLC{Wall: 1000, Node: "b"}
	cases := []struct {
		name string
		cur  Current
		edit Edit
		want Outcome
	}{
		{"edit on the current version applies", Current{"N", 5, late}, Edit{"D", 5, early}, Outcome{Apply: true}},
		{"first edit of a never-changed field", Current{"", 0, data.HLC{}}, Edit{"D", 0, early}, Outcome{Apply: true}},
		{"same value on the current version is a no-op", Current{"D", 5, early}, Edit{"D", 5, late}, Outcome{}},
		{"concurrent, later edit wins and the current is lost", Current{"N", 7, early}, Edit{"D", 5, late}, Outcome{Apply: true, Conflict: true}},
		{"concurrent, earlier edit loses", Current{"N", 7, late}, Edit{"D", 5, early}, Outcome{Conflict: true}},
		{"concurrent but equal values lose nothing", Current{"D", 7, late}, Edit{"D", 5, early}, Outcome{}},
		{"tie on time goes to the higher node", Current{"N", 7, early}, Edit{"D", 5, sameTimeHigherNode}, Outcome{Apply: true, Conflict: true}},
		{"a base from the future is concurrent too", Current{"N", 3, late}, Edit{"D", 9, early}, Outcome{Conflict: true}},
		{"the same copy's later edit follows its own", Current{"N", 7, data.HLC{Wall: 900, Node: "a"}}, Edit{"D", 5, early}, Outcome{Apply: true}},
	}
	for _, c := range cases {
		if got := Decide(c.cur, c.edit); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
