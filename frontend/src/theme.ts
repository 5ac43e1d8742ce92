import { createTheme, darken, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: { light: 9, dark: 7 },
  autoContrast: true,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  defaultRadius: 'md',
  focusRing: 'auto',
  components: {
    Button: { defaultProps: { size: 'md' } },
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

const TINTED = ['teal', 'green', 'yellow', 'orange', 'red', 'blue', 'gray', 'grape', 'cyan', 'lime', 'indigo', 'violet'];

/**
 * Mantine's default light theme fails WCAG AA contrast for dimmed text, placeholders and
 * the text of `light` variants; these are darkened once here, for every screen.
 */
export const resolver: CSSVariablesResolver = (t) => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': t.colors.gray[8],
    '--mantine-color-placeholder': t.colors.gray[7],
    '--mantine-color-error': t.colors.red[9],
  };
  for (const name of TINTED) {
    const shades = t.colors[name];
    if (!shades) continue;
    light[`--mantine-color-${name}-light-color`] = darken(shades[9], 0.35);
    light[`--mantine-color-${name}-text`] = darken(shades[9], 0.25);
  }
  return { variables: {}, light, dark: {} };
};
