// The page's CSV cells: run with `node --test web/test/` (tests/test_export_tables.py runs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { csvLine, neutralise } from "../src/js/csv.js";

test("text that starts like a formula gets a leading quote", () => {
  for (const text of ["=1+1", "+46701234", "-x", "@SUM(A1)", "\tcmd", "\rcmd"]) {
    assert.equal(neutralise(text), `'${text}`);
  }
  assert.equal(neutralise("Område 1"), "Område 1");
  assert.equal(neutralise("a=b"), "a=b");
});

test("a formula in an area name is written as quoted, neutralised text", () => {
  const line = csvLine(",", ['=HYPERLINK("http://evil.example","x")', "0201A0010"], ["12.5"]);
  assert.equal(line, '"\'=HYPERLINK(""http://evil.example"",""x"")",0201A0010,12.5');
});

test("negative numbers stay numbers", () => {
  assert.equal(csvLine(";", ["Norr"], ["-3,5", "-12", ".."]), 'Norr;"-3,5";-12;..');
  assert.equal(csvLine(",", [], ["-0.25"]), "-0.25");
});
