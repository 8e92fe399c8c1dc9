// Reads each BPMN file as bpmn.io and Camunda Modeler do (bpmn-moddle) and lints it with
// bpmnlint's recommended rules. Prints one line per warning or report, with the element id;
// exits 1 if there is any (a modeler drops unresolved references when it saves a file).
'use strict';

const fs = require('fs');
const Linter = require('bpmnlint/lib/linter');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

async function check(path) {
  const problems = [];
  const { BpmnModdle } = await import('bpmn-moddle');
  const moddle = new BpmnModdle();
  const { rootElement, warnings } = await moddle.fromXML(fs.readFileSync(path, 'utf8'));
  for (const warning of warnings) {
    const id = (warning.element && warning.element.id) || (warning.property && warning.value) || '?';
    problems.push(`${path}: ${id}: moddle warning: ${warning.message}`);
  }
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new NodeResolver() });
  const reports = await linter.lint(rootElement);
  for (const [rule, entries] of Object.entries(reports)) {
    for (const entry of entries) {
      problems.push(`${path}: ${entry.id}: ${rule} (${entry.category}): ${entry.message}`);
    }
  }
  return problems;
}

async function main(paths) {
  if (paths.length === 0) {
    console.error('usage: node check.js FILE.bpmn ...');
    process.exit(2);
  }
  let problems = [];
  for (const path of paths) {
    problems = problems.concat(await check(path));
  }
  for (const line of problems) console.log(line);
  process.exit(problems.length ? 1 : 0);
}

main(process.argv.slice(2)).catch(error => {
  console.error(error);
  process.exit(2);
});
