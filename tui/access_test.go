package tui

// Typed access to the registered panels, for tests.

func (m Model) chart() *chartPanel     { return m.panels[panelChart].(*chartPanel) }
func (m Model) flags() *flagsPanel     { return m.panels[panelFlags].(*flagsPanel) }
func (m Model) sectors() *sectorsPanel { return m.panels[panelSectors].(*sectorsPanel) }
func (m Model) quotes() *quotesPanel   { return m.panels[panelQuotes].(*quotesPanel) }
func (m Model) nowWhat() *nowWhatPanel { return m.panels[panelNowWhat].(*nowWhatPanel) }
