// The CyberTipline XML writers, read back with expat element by element;
// the XML tree reader; the response parser.
#include <expat.h>
#include <gtest/gtest.h>

#include "reports/cybertip.h"
#include "reports/report_samples.h"
#include "reports/xml_tree.h"

namespace chainbreak::reports {
namespace {

using namespace cybertip;

std::vector<std::string> names(const XmlElement& e) {
  std::vector<std::string> out;
  for (const XmlElement& c : e.children) out.push_back(c.name);
  return out;
}

// Independent of xml_tree: plain expat says the document is well-formed.
bool expat_well_formed(const std::string& doc) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  const bool ok = XML_Parse(p, doc.data(), static_cast<int>(doc.size()), XML_TRUE) == XML_STATUS_OK;
  XML_ParserFree(p);
  return ok;
}

XmlElement parse(const std::string& doc) {
  auto r = parse_xml(doc);
  EXPECT_TRUE(r.ok()) << r.status().message() << "\n" << doc;
  return r.ok() ? r.value() : XmlElement{};
}

TEST(CybertipXml, FullReportElementsInDocumentedOrder) {
  const Report report = test::full_report();
  ASSERT_TRUE(validate(report).ok()) << validate(report).message();
  auto xml = report_xml(report);
  ASSERT_TRUE(xml.ok()) << xml.status().message();
  ASSERT_TRUE(expat_well_formed(xml.value()));
  EXPECT_EQ(xml.value().rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  const XmlElement root = parse(xml.value());
  EXPECT_EQ(root.name, "report");
  ASSERT_NE(root.attribute("xsi:noNamespaceSchemaLocation"), nullptr);
  EXPECT_EQ(*root.attribute("xsi:noNamespaceSchemaLocation"), "https://report.cybertip.org/ispws/xsd");
  EXPECT_EQ(names(root), (std::vector<std::string>{"incidentSummary", "internetDetails", "internetDetails", "reporter",
                                                   "personOrUserReported", "additionalInfo"}));

  const XmlElement& sum = root.children[0];
  EXPECT_EQ(names(sum), (std::vector<std::string>{"incidentType", "escalateToHighPriority", "reportAnnotations",
                                                  "incidentDateTime", "incidentDateTimeDescription"}));
  EXPECT_EQ(sum.child("incidentType")->text, report.incident_summary.incident_type);
  EXPECT_EQ(sum.child("escalateToHighPriority")->text, report.incident_summary.escalate_to_high_priority);
  EXPECT_EQ(names(*sum.child("reportAnnotations")), (std::vector<std::string>{"sextortion", "csamSolicitation"}));
  EXPECT_TRUE(sum.child("reportAnnotations")->children[0].children.empty());
  EXPECT_EQ(sum.child("incidentDateTime")->text, "2024-01-15T14:30:00Z");

  const XmlElement& web = root.children[1];
  ASSERT_EQ(names(web), std::vector<std::string>{"webPageIncident"});
  const XmlElement& wp = web.children[0];
  ASSERT_NE(wp.attribute("thirdPartyHostedContent"), nullptr);
  EXPECT_EQ(*wp.attribute("thirdPartyHostedContent"), "false");
  EXPECT_EQ(names(wp), (std::vector<std::string>{"url", "url", "additionalInfo"}));
  EXPECT_EQ(wp.children[0].text, "https://example.com/a?x=1&y=2");
  EXPECT_EQ(wp.children[2].text, "it's synthetic");
  const XmlElement& chat = root.children[2].children.at(0);
  EXPECT_EQ(chat.name, "chatImIncident");
  EXPECT_EQ(names(chat), (std::vector<std::string>{"chatClient", "chatRoomName", "content"}));
  EXPECT_EQ(chat.child("chatRoomName")->text, "room <1>");

  const XmlElement& rep = root.children[3];
  EXPECT_EQ(names(rep), (std::vector<std::string>{"reportingPerson", "contactPerson", "companyTemplate",
                                                  "termsOfService", "legalUrl"}));
  const XmlElement& person = rep.children[0];
  EXPECT_EQ(names(person), (std::vector<std::string>{"firstName", "lastName", "phone", "email"}));
  EXPECT_EQ(*person.child("phone")->attribute("verified"), "true");
  EXPECT_EQ(person.child("email")->text, "reports@example.com");
  EXPECT_EQ(rep.child("termsOfService")->text, "Terms & conditions");

  const XmlElement& u = root.children[4];
  EXPECT_EQ(names(u),
            (std::vector<std::string>{"personOrUserReportedPerson", "espIdentifier", "espService", "screenName",
                                      "displayName", "profileUrl", "ipCaptureEvent", "thirdPartyUserReported",
                                      "priorCTReports", "priorCTReports", "groupIdentifier", "additionalInfo"}));
  EXPECT_EQ(names(*u.child("personOrUserReportedPerson")),
            (std::vector<std::string>{"firstName", "age", "dateOfBirth"}));
  EXPECT_EQ(u.child("personOrUserReportedPerson")->child("age")->text, "30");
  const XmlElement& ip = *u.child("ipCaptureEvent");
  EXPECT_EQ(names(ip), (std::vector<std::string>{"ipAddress", "eventName", "dateTime", "possibleProxy", "port"}));
  EXPECT_EQ(ip.child("possibleProxy")->text, "true");
  EXPECT_EQ(ip.child("port")->text, "443");
  EXPECT_EQ(u.child("thirdPartyUserReported")->text, "false");
  EXPECT_EQ(u.child("displayName")->text, "Display 'one'");
  EXPECT_EQ(root.children[5].text, "Synthetic additional info > all");
}

TEST(CybertipXml, EscapesAllFiveSpecialCharacters) {
  Report r = test::minimal_report();
  r.additional_info = "a<b>c&d\"e'f";
  r.internet_details.emplace_back();
  r.internet_details[0].web_page.urls = {"https://example.com/?q=\"'<&>"};
  auto xml = report_xml(r);
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml.value().find("<additionalInfo>a&lt;b&gt;c&amp;d&quot;e&apos;f</additionalInfo>"), std::string::npos)
      << xml.value();
  EXPECT_EQ(xml.value().find("c&d"), std::string::npos);
  const XmlElement root = parse(xml.value());
  EXPECT_EQ(root.child("additionalInfo")->text, "a<b>c&d\"e'f");
  EXPECT_EQ(root.child("internetDetails")->children[0].child("url")->text, "https://example.com/?q=\"'<&>");
}

TEST(CybertipXml, AttributeValuesEscaped) {
  FileDetails f;
  f.report_id = "1";
  f.file_id = "f";
  f.details = {{"EXIF", {{"k", "v"}}}};
  f.original_file_hashes = {{"X\"<&'>", "v"}};  // invalid for validate(), but the writer must stay well-formed
  auto xml = file_details_xml(f);
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml.value().find("hashType=\"X&quot;&lt;&amp;&apos;&gt;\""), std::string::npos) << xml.value();
  const XmlElement root = parse(xml.value());
  EXPECT_EQ(*root.child("originalFileHash")->attribute("hashType"), "X\"<&'>");
}

TEST(CybertipXml, MinimalReportLeavesOptionalElementsOut) {
  auto xml = report_xml(test::minimal_report());
  ASSERT_TRUE(xml.ok());
  const XmlElement root = parse(xml.value());
  EXPECT_EQ(names(root), (std::vector<std::string>{"incidentSummary", "reporter"}));
  EXPECT_EQ(names(root.children[0]), (std::vector<std::string>{"incidentType", "incidentDateTime"}));
  EXPECT_EQ(names(root.children[1]), std::vector<std::string>{"reportingPerson"});
  EXPECT_EQ(names(root.children[1].children[0]), std::vector<std::string>{"email"});
  EXPECT_EQ(root.children[1].children[0].children[0].attribute("verified"), nullptr);
}

TEST(CybertipXml, FileDetailsInDocumentedOrder) {
  FileDetails f = test::full_file();
  f.report_id = "100001";
  f.file_id = "abc123";
  ASSERT_TRUE(validate_file(f, 1, true).ok()) << validate_file(f, 1, true).message();
  auto xml = file_details_xml(f);
  ASSERT_TRUE(xml.ok());
  ASSERT_TRUE(expat_well_formed(xml.value()));
  const XmlElement root = parse(xml.value());
  EXPECT_EQ(root.name, "fileDetails");
  EXPECT_EQ(names(root), (std::vector<std::string>{
                             "reportId", "fileId", "fileName", "originalFileName", "locationOfFile", "fileViewedByEsp",
                             "exifViewedByEsp", "publiclyAvailable", "fileRelevance", "fileAnnotations",
                             "industryClassification", "originalFileHash", "originalFileHash", "ipCaptureEvent",
                             "details", "details", "additionalInfo", "additionalInfo"}));
  EXPECT_EQ(root.child("reportId")->text, "100001");
  EXPECT_EQ(root.child("fileViewedByEsp")->text, "true");
  EXPECT_EQ(root.child("exifViewedByEsp")->text, "false");
  EXPECT_EQ(root.child("publiclyAvailable")->text, "false");
  EXPECT_EQ(root.child("originalFileName")->text, "orig <1>.jpg");
  EXPECT_EQ(names(*root.child("fileAnnotations")), (std::vector<std::string>{"viral", "generativeAi"}));
  EXPECT_EQ(root.child("industryClassification")->text, "B2");
  const auto hashes = root.children_named("originalFileHash");
  EXPECT_EQ(*hashes[0]->attribute("hashType"), "MD5");
  EXPECT_EQ(hashes[0]->text, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(*hashes[1]->attribute("hashType"), "SHA1");
  const auto details = root.children_named("details");
  EXPECT_EQ(*details[0]->attribute("type"), "EXIF");
  ASSERT_EQ(names(*details[0]), (std::vector<std::string>{"nameValuePair", "nameValuePair"}));
  EXPECT_EQ(names(details[0]->children[0]), (std::vector<std::string>{"name", "value"}));
  EXPECT_EQ(details[0]->children[0].child("value")->text, "Synthetic & Co");
  EXPECT_EQ(root.children_named("additionalInfo")[1]->text, "second 'note'");
}

TEST(CybertipXml, UnsetBooleansAreLeftOutNotFalse) {
  FileDetails f;
  f.report_id = "1";
  f.file_id.assign(1, 'x');  // not = "x": GCC 12 -O2 -Wrestrict false positive
  f.publicly_available = true;
  auto xml = file_details_xml(f);
  ASSERT_TRUE(xml.ok());
  const XmlElement root = parse(xml.value());
  EXPECT_EQ(names(root), (std::vector<std::string>{"reportId", "fileId", "publiclyAvailable"}));
}

TEST(CybertipXml, WriterRefusesTextXmlCannotCarry) {
  Report r = test::minimal_report();
  r.additional_info = std::string("bad \x01 control");
  auto xml = report_xml(r);
  ASSERT_FALSE(xml.ok());
  EXPECT_EQ(xml.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(xml.status().message().find("additionalInfo"), std::string::npos);
  r.additional_info = "bad \xff byte";
  EXPECT_FALSE(report_xml(r).ok());
  r.additional_info = "ok: \xc3\xa9\xe2\x82\xac";  // é €
  EXPECT_TRUE(report_xml(r).ok());
}

TEST(XmlTree, RefusesMalformedDoctypeAndDeepNesting) {
  auto bad = parse_xml("<a><b></a>");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not well-formed"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(parse_xml("").ok());
  EXPECT_FALSE(parse_xml("<a/><b/>").ok());
  auto dt = parse_xml("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>");
  ASSERT_FALSE(dt.ok());
  EXPECT_NE(dt.status().message().find("DOCTYPE"), std::string::npos);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<e>";
  for (int i = 0; i < 100; ++i) deep += "</e>";
  auto d = parse_xml(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("deeper"), std::string::npos);
  EXPECT_FALSE(parse_xml("<a>x</a>", 4).ok());
  auto ns = parse_xml("<p:a xmlns:p='u'><p:b k='v'> t </p:b></p:a>");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns.value().name, "a");
  EXPECT_EQ(ns.value().child("b")->trimmed_text(), "t");
  EXPECT_EQ(*ns.value().child("b")->attribute("k"), "v");
}

TEST(CybertipResponse, ParsesReportResponse) {
  auto r = parse_response(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<reportResponse>\n"
      "  <responseCode>\n 0 \n</responseCode>\n  <responseDescription>Success</responseDescription>\n"
      "  <reportId>4564654</reportId><fileId>ab12</fileId><hash>d41d8cd98f00b204e9800998ecf8427e</hash>\n"
      "</reportResponse>");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().root, "reportResponse");
  EXPECT_EQ(r.value().response_code, 0);
  EXPECT_EQ(r.value().response_description, "Success");
  EXPECT_EQ(r.value().report_id, "4564654");
  EXPECT_EQ(r.value().file_id, "ab12");
  EXPECT_EQ(r.value().hash, "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(CybertipResponse, ParsesDoneResponseAndErrors) {
  auto done = parse_response(
      "<reportDoneResponse><responseCode>0</responseCode><reportId>7</reportId>"
      "<files><fileId>a</fileId><fileId>b</fileId></files></reportDoneResponse>");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.value().file_ids, (std::vector<std::string>{"a", "b"}));
  auto err = parse_response(
      "<reportResponse><responseCode>4100</responseCode>"
      "<responseDescription>Validation failed &amp; more</responseDescription></reportResponse>");
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err.value().response_code, 4100);
  EXPECT_EQ(err.value().response_description, "Validation failed & more");
}

TEST(CybertipResponse, RefusesMalformedOrIncomplete) {
  auto bad = parse_response("<reportResponse><responseCode>0</\n<x/></reportResponse>");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(bad.status().message().find("not well-formed"), std::string::npos);
  EXPECT_FALSE(parse_response("").ok());
  EXPECT_FALSE(parse_response("<html><body>502 Bad Gateway</body></html>").ok());
  EXPECT_FALSE(parse_response("<reportResponse><responseDescription>x</responseDescription></reportResponse>").ok());
  auto nan = parse_response("<reportResponse><responseCode>zero</responseCode></reportResponse>");
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("zero"), std::string::npos);
  EXPECT_FALSE(parse_response("<reportResponse><responseCode>-1</responseCode></reportResponse>").ok());
}

TEST(CybertipResponse, WriterRoundTrips) {
  Response r;
  r.root = "reportDoneResponse";
  r.response_code = 0;
  r.response_description = "ok <&>";
  r.report_id = "9";
  r.file_ids = {"x", "y"};
  auto back = parse_response(response_xml(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().root, r.root);
  EXPECT_EQ(back.value().response_description, r.response_description);
  EXPECT_EQ(back.value().file_ids, r.file_ids);
}

}  // namespace
}  // namespace chainbreak::reports
