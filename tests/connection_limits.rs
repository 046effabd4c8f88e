//! Connection-level limits: too many open connections and slow request headers.
//! (Engine-independent: these are decided before any database work.)

use std::time::Duration;

use abm_scim::testing::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(server: &TestServer) -> String {
    server.base_url().trim_start_matches("http://").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_get_a_scim_503() {
    let server = TestServer::builder()
        .configure(|args| args.max_connections = 2)
        .start()
        .await;
    // Two idle connections take every slot.
    let held = [
        TcpStream::connect(addr(&server)).await.unwrap(),
        TcpStream::connect(addr(&server)).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr(&server)).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), third.read_to_string(&mut answer))
        .await
        .expect("answered promptly")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("application/scim+json"), "{answer}");
    assert!(answer.contains("too many open connections"), "{answer}");
    // Once a slot frees up, requests are served again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ok = reqwest::get(format!("{}/healthz", server.base_url()))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_headers_are_cut_off() {
    let server = TestServer::builder()
        .configure(|args| args.header_read_timeout = Duration::from_millis(300))
        .start()
        .await;
    let mut slow = TcpStream::connect(addr(&server)).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buffer))
        .await
        .expect("the server closed the connection instead of waiting forever");
    assert!(read.is_ok() || buffer.is_empty());
    // A prompt client is served.
    let ok = reqwest::get(format!("{}/healthz", server.base_url()))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    server.stop().await;
}
