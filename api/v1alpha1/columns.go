package v1alpha1

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Column is one column of a kind's table, defined once here for every
// table of it: `minka get`, the server's Table output, the web view. Its
// fields but Cell are metav1.TableColumnDefinition's (Definition).
//
// A cell holds the value raw in the JSON type that Type (and Format) name,
// and nothing is formatted for a terminal:
//
//   - Type "string": a string, shown as it is. An unset value is already
//     "-" (or "<none>", "Unknown") as kubectl prints it, so that every
//     table shows the same thing.
//   - Type "integer": an int64.
//   - Type "string", Format "date-time": a metav1.Time (zero when unknown).
//     The table renders it relative to its own clock, as an age
//     (`minka get` prints "90m"; a zero time is "<unknown>").
//
// +kubebuilder:object:generate=false
type Column struct {
	// Name is the header, as `minka get` prints it (NAME, UP-TO-DATE).
	Name string `json:"name"`
	// Type is the cell's OpenAPI type: string or integer.
	Type string `json:"type"`
	// Format refines Type: "name" for the object's name, "date-time" for
	// a time.
	Format string `json:"format,omitempty"`
	// Description says what the column shows.
	Description string `json:"description"`
	// Priority is 0 for the default columns, 1 for those shown only in
	// the wide table (`minka get -o wide`).
	Priority int32 `json:"priority"`
	// Cell reads the column's value off an object of its kind.
	Cell func(Object) any `json:"-"`
}

// Definition is the column as a metav1.TableColumnDefinition, for a
// server-side Table.
func (c Column) Definition() metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: c.Name, Type: c.Type, Format: c.Format, Description: c.Description, Priority: c.Priority}
}

// Columns returns the table columns of a kind (its Kind name: Deployment),
// default ones first in the order shown, or nil for an unknown kind.
func Columns(kind string) []Column { return slices.Clone(columns[kind]) }

// Row returns the cells of obj, one per column of its kind, in order; nil
// when its kind has no columns.
func Row(obj Object) []any {
	k, err := KindOf(obj)
	if err != nil {
		return nil
	}
	cols := columns[k.Kind]
	cells := make([]any, len(cols))
	for i, c := range cols {
		cells[i] = c.Cell(obj)
	}
	return cells
}

// Column types and formats.
const (
	TypeString     = "string"
	TypeInteger    = "integer"
	FormatName     = "name"
	FormatDateTime = "date-time"
)

// LastSeen is when an event last happened: its lastTimestamp, or its
// creation for an event not yet repeated. Events sort and age by it.
func (e *Event) LastSeen() metav1.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp
	}
	return e.CreationTimestamp
}

func str(name, description string, priority int32, cell func(Object) string) Column {
	return Column{Name: name, Type: TypeString, Description: description, Priority: priority,
		Cell: func(o Object) any { return cell(o) }}
}

func integer[T ~int32 | ~int64](name, description string, priority int32, cell func(Object) T) Column {
	return Column{Name: name, Type: TypeInteger, Description: description, Priority: priority,
		Cell: func(o Object) any { return int64(cell(o)) }}
}

func date(name, description string, cell func(Object) metav1.Time) Column {
	return Column{Name: name, Type: TypeString, Format: FormatDateTime, Description: description,
		Cell: func(o Object) any { return cell(o) }}
}

var (
	nameColumn = Column{Name: "NAME", Type: TypeString, Format: FormatName, Description: "The object's name.",
		Cell: func(o Object) any { return o.GetName() }}
	ageColumn = date("AGE", "Since the object was created.", func(o Object) metav1.Time { return o.GetCreationTimestamp() })
)
