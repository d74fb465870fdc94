#include "cli/table.h"

#include <gtest/gtest.h>

namespace aimass::cli {
namespace {

TEST(FormatTableTest, AlignsColumnsAndRightAlignsNumbers) {
  std::string table = FormatTable({"NAME", "ROWS", "SOURCE"},
                                  {{"credit", "4454", "upload a.csv"}, {"x", "12", ""}});
  EXPECT_EQ(table,
            "NAME    ROWS  SOURCE\n"
            "credit  4454  upload a.csv\n"
            "x         12\n");
}

TEST(FormatTableTest, CountsUtf8CodePointsForWidth) {
  std::string table = FormatTable({"CITY", "N"}, {{"Zürich", "a"}, {"Bern", "b"}});
  EXPECT_EQ(table,
            "CITY    N\n"
            "Zürich  a\n"
            "Bern    b\n");
}

TEST(FormatTableTest, WorksWithoutHeaderAndWithRaggedRows) {
  EXPECT_EQ(FormatTable({}, {{"id", "7"}, {"state", "running", "extra"}}),
            "id     7\n"
            "state  running  extra\n");
  EXPECT_EQ(FormatTable({"A"}, {}), "A\n");
}

TEST(FormatTableTest, NegativeAndDecimalNumbersCountAsNumbers) {
  EXPECT_EQ(FormatTable({"V"}, {{"-1.5"}, {"10"}, {"2e3"}}),
            "   V\n"
            "-1.5\n"
            "  10\n"
            " 2e3\n");
}

TEST(FormatBytesTest, UsesBinaryUnits) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(123456), "120.6 KiB");
  EXPECT_EQ(FormatBytes(300ull << 20), "300.0 MiB");
}

TEST(CellTextTest, ShowsJsonValuesAsPeopleWriteThem) {
  EXPECT_EQ(CellText(nlohmann::json()), "");
  EXPECT_EQ(CellText("owner"), "owner");
  EXPECT_EQ(CellText(37.1), "37.1");
  EXPECT_EQ(CellText(4454), "4454");
  EXPECT_EQ(CellText(true), "true");
  EXPECT_EQ(CellText(nlohmann::json::parse(R"({"a":[1,2]})")), R"({"a":[1,2]})");
}

TEST(OneLineTest, FlattensAndCutsLongText) {
  EXPECT_EQ(OneLine("a\nb\tc"), "a b c");
  EXPECT_EQ(OneLine("abcdef", 4), "abc…");
  EXPECT_EQ(OneLine("abcd", 4), "abcd");
  EXPECT_EQ(OneLine("ééééé", 3), "éé…");
}

}  // namespace
}  // namespace aimass::cli
