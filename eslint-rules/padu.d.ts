// Types of the plugin written in JavaScript (padu.js), for its TypeScript test.
import type { Rule } from 'eslint';

declare const plugin: {
  meta: { name: string; version: string };
  rules: { 'module-imports': Rule.RuleModule; 'table-ownership': Rule.RuleModule };
};
export default plugin;
