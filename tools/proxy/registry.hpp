#pragma once
// The live connections of one io thread, so that shutdown can reach them.
// Touched only by that thread (shutdown posts to it): an intrusive list, no locks.

namespace rustguard::proxy {

class Stoppable {
 public:
  virtual ~Stoppable() = default;
  virtual void request_shutdown() = 0;

 private:
  friend class ConnectionRegistry;
  Stoppable* prev_ = nullptr;
  Stoppable* next_ = nullptr;
};

class ConnectionRegistry {
 public:
  void add(Stoppable& c) noexcept {
    c.prev_ = nullptr;
    c.next_ = head_;
    if (head_) head_->prev_ = &c;
    head_ = &c;
  }
  void remove(Stoppable& c) noexcept {
    if (c.prev_) c.prev_->next_ = c.next_;
    else if (head_ == &c) head_ = c.next_;
    if (c.next_) c.next_->prev_ = c.prev_;
    c.prev_ = c.next_ = nullptr;
  }
  void shutdown_all() {
    stopping_ = true;
    for (Stoppable* c = head_; c != nullptr;) {
      Stoppable* next = c->next_;
      c->request_shutdown();
      c = next;
    }
  }
  // Connections accepted after shutdown_all() stop at once.
  bool stopping() const noexcept { return stopping_; }

 private:
  Stoppable* head_ = nullptr;
  bool stopping_ = false;
};

}  // namespace rustguard::proxy
