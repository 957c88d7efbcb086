/**
 * The editor's colours, read from the CSS variables VS Code sets in the output webview, and a watcher that
 * calls back when the user switches theme (VS Code swaps the body class and the variables in place).
 */
import { DARK_THEME, LIGHT_THEME, type ChartTheme } from '../../kernel/charts/theme';

export interface EditorTheme extends ChartTheme {
  kind: 'light' | 'dark';
}

function cssVar(name: string): string {
  const fromRoot = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return fromRoot || getComputedStyle(document.body).getPropertyValue(name).trim();
}

/** Whether the editor is dark: body class `vscode-dark` or a dark high-contrast theme. */
function isDark(): boolean {
  const c = document.body.classList;
  return c.contains('vscode-dark') || (c.contains('vscode-high-contrast') && !c.contains('vscode-high-contrast-light'));
}

/** The current editor theme: text from --vscode-editor-foreground, canvas from --vscode-editor-background. */
export function readEditorTheme(): EditorTheme {
  const kind = isDark() ? 'dark' : 'light';
  const fallback = kind === 'dark' ? DARK_THEME : LIGHT_THEME;
  return {
    kind,
    text: cssVar('--vscode-editor-foreground') || fallback.text,
    grid: fallback.grid,
    background: cssVar('--vscode-editor-background') || fallback.background,
  };
}

export const sameTheme = (a: EditorTheme, b: EditorTheme): boolean =>
  a.kind === b.kind && a.text === b.text && a.grid === b.grid && a.background === b.background;

/** Calls `onChange` with the new theme whenever the body class or the root's style variables change. */
export function watchEditorTheme(onChange: (theme: EditorTheme) => void): () => void {
  let current = readEditorTheme();
  const observer = new MutationObserver(() => {
    const next = readEditorTheme();
    if (sameTheme(next, current)) return;
    current = next;
    onChange(next);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
  return () => observer.disconnect();
}
