import type { Row } from './table';
export function jupyterRows(): Row[] {
  return [];
}
