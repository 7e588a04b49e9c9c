#include "common/util/http_request_head.h"

#include <gtest/gtest.h>

namespace ironlb::util {
namespace {

TEST(HttpRequestHeadTest, ParsesWhatTheServerNeeds) {
  auto r = parseRequestHead(
      "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer abc.def\r\n\r\nGET /", 8192);
  ASSERT_EQ(r.state, HeadState::kComplete);
  EXPECT_EQ(r.head.method, "GET");
  EXPECT_EQ(r.head.path, "/metrics");
  EXPECT_EQ(r.head.bearerToken, "abc.def");
  EXPECT_TRUE(r.head.keepAlive);
  EXPECT_FALSE(r.head.hasBody);
  EXPECT_EQ(r.consumed, std::string_view("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n"
                                         "Authorization: Bearer abc.def\r\n\r\n")
                            .size());
}

TEST(HttpRequestHeadTest, IncompleteUntilTheBlankLine) {
  EXPECT_EQ(parseRequestHead("GET /healthz HTTP/1.1\r\nHost: a\r\n", 8192).state,
            HeadState::kIncomplete);
}

TEST(HttpRequestHeadTest, JunkIsRefusedBeforeTheHeadEnds) {
  const std::string clientHello("\x16\x03\x01\x02\x00\x01", 6);
  auto r = parseRequestHead(clientHello, 8192);
  EXPECT_EQ(r.state, HeadState::kError);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parseRequestHead("GE", 8192).state, HeadState::kIncomplete);
}

TEST(HttpRequestHeadTest, AHeadAtTheCapWithoutItsEndIs431) {
  const std::string noEnd(8192, 'a');
  auto r = parseRequestHead(noEnd, 8192);
  EXPECT_EQ(r.state, HeadState::kError);
  EXPECT_EQ(r.status, 431);
  const std::string tooLong = "GET / HTTP/1.1\r\nX: " + std::string(9000, 'b') + "\r\n\r\n";
  EXPECT_EQ(parseRequestHead(tooLong, 8192).status, 431);
}

TEST(HttpRequestHeadTest, AnnouncedBodiesAreFlagged) {
  EXPECT_TRUE(parseRequestHead("POST / HTTP/1.1\r\nContent-Length: 7\r\n\r\n", 8192).head.hasBody);
  EXPECT_TRUE(
      parseRequestHead("POST / HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n", 8192).head.hasBody);
  EXPECT_FALSE(parseRequestHead("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 8192).head.hasBody);
  EXPECT_EQ(parseRequestHead("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 8192).status, 400);
}

TEST(HttpRequestHeadTest, ConnectionCloseAndHttp10EndKeepAlive) {
  EXPECT_FALSE(
      parseRequestHead("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 8192).head.keepAlive);
  EXPECT_FALSE(parseRequestHead("GET / HTTP/1.0\r\n\r\n", 8192).head.keepAlive);
}

TEST(HttpRequestHeadTest, MalformedRequestsAre400) {
  for (const char* bad : {"GET\r\n\r\n", "GET /a b HTTP/1.1\r\n\r\n", "GET x HTTP/1.1\r\n\r\n",
                          "GET / HTTP/2\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n"}) {
    auto r = parseRequestHead(bad, 8192);
    EXPECT_EQ(r.state, HeadState::kError) << bad;
    EXPECT_EQ(r.status, 400) << bad;
  }
}

}  // namespace
}  // namespace ironlb::util
