# footnote's image: a static Go binary on distroless/static, run as a non-root user.
#   docker build -t footnote .            (make image)
#   docker run --rm -e DATABASE_URL=... -e DISCORD_TOKEN=... footnote              the bot
#   docker run --rm -it -e DATABASE_URL=... footnote console                     the console
# docker-compose.yml runs it beside Postgres with pgvector. Untested where there is no Docker
# engine; cmd/footnote/docker_test.go builds it where one answers and checks this file's promises always.

# The builder's Go follows go.mod's go line (cmd/footnote/docker_test.go checks that they agree; a newer
# patch release in go.mod is fetched by the go command itself).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary, so the final stage needs no C library.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/footnote ./cmd/footnote

# distroless/static holds CA certificates (for fetching https articles and for Discord) and
# time zone data, and no shell or package manager. Its nonroot user is uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/footnote /usr/local/bin/footnote
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/footnote"]
CMD ["serve"]
