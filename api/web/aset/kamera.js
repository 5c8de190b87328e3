// Sinkron: take a document photo with the PC's or tablet's camera
// (getUserMedia) into the file input beside the button. Without a camera
// or permission, the file input still works.
(function () {
  function attach(btn) {
    var input = document.getElementById(btn.dataset.untuk);
    var box = btn.parentElement.querySelector(".kamera");
    if (!input || !box || !navigator.mediaDevices) { btn.hidden = true; return; }
    btn.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        var video = document.createElement("video");
        video.srcObject = stream; video.setAttribute("playsinline", ""); video.muted = true; video.play();
        var snap = document.createElement("button");
        snap.type = "button"; snap.textContent = "Ambil foto";
        box.replaceChildren(video, snap);
        snap.addEventListener("click", function () {
          var c = document.createElement("canvas");
          c.width = video.videoWidth; c.height = video.videoHeight;
          c.getContext("2d").drawImage(video, 0, 0);
          stream.getTracks().forEach(function (t) { t.stop(); });
          c.toBlob(function (blob) {
            var dt = new DataTransfer();
            dt.items.add(new File([blob], input.name + ".jpg", { type: "image/jpeg" }));
            input.files = dt.files;
            c.className = "potret";
            box.replaceChildren(c);
          }, "image/jpeg", 0.9);
        });
      }).catch(function () { box.textContent = "Kamera tidak dapat dibuka; pilih berkas foto."; });
    });
  }
  document.querySelectorAll("button[data-untuk]").forEach(attach);
})();
