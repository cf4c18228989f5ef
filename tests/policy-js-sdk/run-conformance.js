// Runs every check, list-objects and list-users assertion of OpenFGA's conformance suite through
// OpenFGA's official JavaScript SDK against an OpenFGA-compatible server, and prints a JSON summary.
//
//   FGA_API_URL=http://127.0.0.1:8083 FGA_API_TOKEN=<admin key> node run-conformance.js <consolidated_1_1_tests.yaml>
//
// Each test gets its own store; per stage the model (DSL, turned into JSON by OpenFGA's own syntax
// transformer) and the tuples (in chunks of 40) are written, then every assertion is asked. A test
// passes when every one of its assertions gets the expected answer or the expected error code.
"use strict";

const fs = require("node:fs");
const YAML = require("yaml");
const { OpenFgaClient, CredentialsMethod, FgaApiValidationError } = require("@openfga/sdk");
const { transformer } = require("@openfga/syntax-transformer");

// OpenFGA's numeric error codes (openfga/api errors_ignore.proto) as the HTTP API names them.
const ERROR_NAMES = {
  2000: "validation_error",
  2001: "authorization_model_not_found",
  2002: "authorization_model_resolution_too_complex",
  2004: "cannot_allow_duplicate_tuples_in_one_request",
  2017: "write_failed_due_to_invalid_input",
  2020: "latest_authorization_model_not_found",
  2021: "type_not_found",
  2022: "relation_not_found",
  2027: "invalid_tuple",
  2056: "invalid_authorization_model",
};
const WRITE_CHUNK = 40;

function usesConditions(test) {
  const conditional = (tuples) => (tuples || []).some((t) => t.condition);
  const asserted = (list) => (list || []).some((a) => a.context || conditional(a.contextualTuples));
  return test.stages.some((stage) =>
    /\bcondition\b|\bwith\s+\w+\s*[\],]/.test(stage.model)
    || conditional(stage.tuples)
    || asserted(stage.checkAssertions) || asserted(stage.listObjectsAssertions) || asserted(stage.listUsersAssertions));
}

function tupleKey(t) {
  return { user: t.user, relation: t.relation, object: t.object };
}

function formatUser(user) {
  if (user.object) return `${user.object.type}:${user.object.id}`;
  if (user.userset) return `${user.userset.type}:${user.userset.id}#${user.userset.relation}`;
  if (user.wildcard) return `${user.wildcard.type}:*`;
  return JSON.stringify(user);
}

function sameElements(expected, actual) {
  const a = [...(expected || [])].sort();
  const b = [...actual].sort();
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

// Asks one assertion; returns null when the answer is the expected one, else why not.
async function ask(expectedErrorCode, call, judge) {
  try {
    const answer = await call();
    if (expectedErrorCode) return `expected error ${expectedErrorCode} but the call succeeded`;
    return judge(answer);
  } catch (error) {
    const code = error instanceof FgaApiValidationError ? error.apiErrorCode : undefined;
    if (expectedErrorCode && code === ERROR_NAMES[expectedErrorCode]) return null;
    const expected = expectedErrorCode ? `error ${expectedErrorCode} (${ERROR_NAMES[expectedErrorCode]})` : "success";
    return `expected ${expected} but got ${code || error.name}: ${error.message}`;
  }
}

async function runTest(options, test, counts) {
  const failures = [];
  const admin = new OpenFgaClient(options);
  const store = await admin.createStore({ name: test.name });
  const client = new OpenFgaClient({ ...options, storeId: store.id });
  for (const [stageIndex, stage] of test.stages.entries()) {
    const where = `${test.name} stage ${stageIndex}`;
    const model = await client.writeAuthorizationModel(transformer.transformDSLToJSONObject(stage.model));
    const opts = { authorizationModelId: model.authorization_model_id };
    const tuples = (stage.tuples || []).map(tupleKey);
    for (let i = 0; i < tuples.length; i += WRITE_CHUNK) {
      await client.write({ writes: tuples.slice(i, i + WRITE_CHUNK) }, opts);
    }

    for (const [i, a] of (stage.checkAssertions || []).entries()) {
      counts.total++;
      const failure = await ask(a.errorCode,
        () => client.check({ ...tupleKey(a.tuple), contextualTuples: (a.contextualTuples || []).map(tupleKey) }, opts),
        (answer) => (answer.allowed === Boolean(a.expectation) ? null : `expected allowed=${Boolean(a.expectation)} but got ${answer.allowed}`));
      if (failure) failures.push(`${where} check ${i}: ${failure}`); else counts.passed++;
    }

    for (const [i, a] of (stage.listObjectsAssertions || []).entries()) {
      counts.total++;
      const failure = await ask(a.errorCode,
        () => client.listObjects({ ...a.request, contextualTuples: (a.contextualTuples || []).map(tupleKey) }, opts),
        (answer) => (sameElements(a.expectation, answer.objects) ? null : `expected [${a.expectation || []}] but got [${answer.objects}]`));
      if (failure) failures.push(`${where} list-objects ${i}: ${failure}`); else counts.passed++;
    }

    for (const [i, a] of (stage.listUsersAssertions || []).entries()) {
      counts.total++;
      const [type, id] = a.request.object.split(/:(.*)/s);
      const filters = a.request.filters.map((f) => {
        const [filterType, relation] = f.split("#");
        return relation ? { type: filterType, relation } : { type: filterType };
      });
      const failure = await ask(a.errorCode,
        () => client.listUsers({
          object: { type, id },
          relation: a.request.relation,
          user_filters: filters,
          contextualTuples: (a.contextualTuples || []).map(tupleKey),
        }, opts),
        (answer) => {
          const users = answer.users.map(formatUser);
          return sameElements(a.expectation, users) ? null : `expected [${a.expectation || []}] but got [${users}]`;
        });
      if (failure) failures.push(`${where} list-users ${i}: ${failure}`); else counts.passed++;
    }
  }

  return failures;
}

async function main() {
  const suitePath = process.argv[2] || process.env.FGA_CONFORMANCE_FILE;
  const apiUrl = process.env.FGA_API_URL;
  if (!suitePath || !apiUrl) {
    console.error("usage: FGA_API_URL=<url> [FGA_API_TOKEN=<token>] node run-conformance.js <consolidated_1_1_tests.yaml>");
    process.exit(2);
  }

  const credentials = process.env.FGA_API_TOKEN
    ? { method: CredentialsMethod.ApiToken, config: { token: process.env.FGA_API_TOKEN } }
    : { method: CredentialsMethod.None };
  const options = { apiUrl, credentials, retryParams: { maxRetry: 0 } };
  const suite = YAML.parse(fs.readFileSync(suitePath, "utf8"));
  const summary = {
    sdk: `@openfga/sdk ${require("@openfga/sdk/package.json").version}`,
    tests_total: suite.tests.length,
    tests_run: 0,
    tests_passed: 0,
    tests_skipped_for_conditions: 0,
    assertions_total: 0,
    assertions_passed: 0,
    passed_indices: [],
    failed_tests: [],
    failures: [],
  };
  for (const [index, test] of suite.tests.entries()) {
    if (usesConditions(test)) {
      summary.tests_skipped_for_conditions++;
      continue;
    }

    summary.tests_run++;
    const counts = { total: 0, passed: 0 };
    let failures;
    try {
      failures = await runTest(options, test, counts);
    } catch (error) {
      failures = [`${test.name}: setup failed: ${error.name}: ${error.message}`];
    }

    summary.assertions_total += counts.total;
    summary.assertions_passed += counts.passed;
    if (failures.length === 0) {
      summary.tests_passed++;
      summary.passed_indices.push(index);
    } else {
      summary.failed_tests.push(test.name);
      summary.failures.push(...failures.slice(0, 5));
    }
  }

  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
