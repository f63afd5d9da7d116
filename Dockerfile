# syntax=docker/dockerfile:1
# Multi-stage build: a static gitgate binary on a distroless, non-root base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY certs ./certs
COPY gitindex ./gitindex
COPY policy ./policy
COPY webhook ./webhook
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/gitgate ./cmd/gitgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gitgate /gitgate
USER 65532:65532
EXPOSE 9443 8443 8081
ENTRYPOINT ["/gitgate"]
CMD ["serve"]
