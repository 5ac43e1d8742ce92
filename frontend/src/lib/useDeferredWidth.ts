import { startTransition, useLayoutEffect, useRef, useState } from 'react';

/**
 * The width of an element, for a chart drawn to it: 0 until measured, then kept up to date.
 * Each new width is drawn as a transition, which React splits into short slices, so that a
 * chart (hundreds of SVG elements) never holds up a tap, as one drawn at once would.
 */
export function useDeferredWidth<E extends HTMLElement>(): [React.RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const next = Math.floor(element.getBoundingClientRect().width);
      startTransition(() => setWidth(next));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
