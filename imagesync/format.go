package imagesync

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// maxOrderShown is how many images of an order a printed plan lists.
const maxOrderShown = 12

// String returns the plan as Format prints it.
func (p *Plan) String() string {
	var b strings.Builder
	_ = p.Format(&b)
	return b.String()
}

// Format prints the plan as a table: one row per operation with its kind,
// key, image ID, write calls and details, then the drift.
func (p *Plan) Format(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "plan for %s (policy %s): ", p.Ref, p.Policy.Delete)
	switch {
	case p.InSync():
		b.WriteString("in sync")
	default:
		fmt.Fprintf(&b, "%d ops, %d writes", len(p.Ops), p.Writes)
	}
	if len(p.Drift) > 0 {
		fmt.Fprintf(&b, ", %d drift", len(p.Drift))
	}
	b.WriteString("\n")
	if len(p.Ops) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tOP\tKEY\tIMAGE\tWRITES\tDETAIL")
		for i, op := range p.Ops {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", i+1, op.Kind, dash(op.Ref.Key), dash(op.Ref.ImageID), op.Writes, op.detail())
		}
		tw.Flush()
	}
	for _, d := range p.Drift {
		fmt.Fprintf(&b, "drift: %s\n", d)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// detail describes what the operation does, for the DETAIL column.
func (op Op) detail() string {
	var parts []string
	switch op.Kind {
	case OpAdd:
		s := "at " + position(op.Position, op.Main)
		if op.Source != "" {
			s += " from " + op.Source
		}
		if op.Alt != "" {
			s += " alt " + strconv.Quote(op.Alt)
		}
		parts = append(parts, s)
	case OpUpdate, OpBatch:
		switch len(op.Alts) {
		case 0:
		case 1:
			parts = append(parts, fmt.Sprintf("alt %s%s -> %s", altRef(op), strconv.Quote(op.Alts[0].From), strconv.Quote(op.Alts[0].To)))
		default:
			parts = append(parts, fmt.Sprintf("alt of %d images", len(op.Alts)))
		}
		if op.Position != nil || op.Main {
			parts = append(parts, "move to "+position(op.Position, op.Main))
		}
	}
	if op.Order != nil {
		parts = append(parts, "order "+orderString(op.Order))
	}
	if op.Reason != "" {
		parts = append(parts, op.Reason)
	}
	return strings.Join(parts, "; ")
}

// altRef names the image of a batch's single alt change.
func altRef(op Op) string {
	if op.Kind == OpBatch {
		return op.Alts[0].Ref.String() + " "
	}
	return ""
}

func position(pos *int, main bool) string {
	s := "end"
	if pos != nil {
		s = strconv.Itoa(*pos)
	}
	if main {
		s += " (main)"
	}
	return s
}

func orderString(order []Ref) string {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range order {
		if i == maxOrderShown {
			fmt.Fprintf(&b, " ... %d more", len(order)-i)
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(r.String())
	}
	b.WriteString("]")
	return b.String()
}
