declare module 'virtual:applet-schemas' {
  import type { JsonSchema } from './schema-form';
  const schemas: Record<string, JsonSchema>;
  export default schemas;
}
